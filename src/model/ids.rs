//! Typed indices: which city, topic, (city, topic) pair or article a number names, and
//! [`IdVec`], the vector such an id indexes, so a city's number cannot look up a topic.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A position in an [`IdVec`].
pub trait Id: Copy {
    fn new(index: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(usize);

        impl Id for $name {
            fn new(index: usize) -> Self {
                $name(index)
            }
            fn index(self) -> usize {
                self.0
            }
        }
    )*};
}

ids! {
    /// A city of [`super::SiteInput::cities`].
    CityId;
    /// A topic of [`super::SiteInput::topics`].
    TopicId;
    /// A (city, topic) pair of [`crate::merge::Merged::pairs`].
    PairId;
    /// An article of [`crate::plan::Plan::articles`].
    ArticleId;
}

/// A `Vec<T>` indexed by the id `I` only.
#[derive(Debug, Clone, PartialEq)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I)>,
}

impl<I: Id, T> IdVec<I, T> {
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub(crate) fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.items.get_mut(id.index())
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// Every id, in order.
    pub(crate) fn ids(&self) -> impl DoubleEndedIterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::new)
    }

    /// Every id, for a parallel loop.
    pub(crate) fn par_ids(&self) -> impl rayon::iter::IndexedParallelIterator<Item = I> + use<I, T>
    where
        I: Send,
    {
        use rayon::iter::{IntoParallelIterator, ParallelIterator};
        (0..self.items.len()).into_par_iter().map(I::new)
    }

    /// Every item with its id, in order.
    pub(crate) fn iter_ids(&self) -> impl DoubleEndedIterator<Item = (I, &T)> {
        self.items.iter().enumerate().map(|(i, t)| (I::new(i), t))
    }

    /// The id of the first item that `pred` holds for.
    pub(crate) fn position(&self, pred: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(pred).map(I::new)
    }

    /// Adds `item` at the end and gives its id.
    pub(crate) fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::new(self.items.len() - 1)
    }

    pub(crate) fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
    }

    /// A vector of the same ids, holding `f` of each item.
    pub(crate) fn map<U>(&self, f: impl FnMut(&T) -> U) -> IdVec<I, U> {
        self.items.iter().map(f).collect()
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I, T> Default for IdVec<I, T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<I, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, I, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a, I, T: Sync> rayon::iter::IntoParallelIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type Iter = rayon::slice::Iter<'a, T>;
    fn into_par_iter(self) -> Self::Iter {
        rayon::iter::IntoParallelIterator::into_par_iter(&self.items)
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}
