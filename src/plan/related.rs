//! Related-articles blocks in one pass: each category's published articles sorted once by
//! publish time; an article's block is the slice just before it. O(n log n) in all.

use super::PlannedArticle;
use crate::model::ids::{ArticleId, IdVec};

/// Per category, published articles oldest first, and each article's position there.
#[derive(Debug, Default)]
pub(crate) struct CategoryLists {
    oldest_first: Vec<Vec<ArticleId>>,
    position: IdVec<ArticleId, Option<(usize, usize)>>,
}

impl CategoryLists {
    /// Builds the lists from the site's newest-first order.
    pub(crate) fn new(
        articles: &IdVec<ArticleId, PlannedArticle>,
        newest_first: &[ArticleId],
        categories: usize,
    ) -> Self {
        let mut oldest_first = vec![Vec::new(); categories];
        let mut position = articles.map(|_| None);
        for &i in newest_first.iter().rev() {
            let list = &mut oldest_first[articles[i].category];
            position[i] = Some((articles[i].category, list.len()));
            list.push(i);
        }
        CategoryLists {
            oldest_first,
            position,
        }
    }

    /// The `n` most recent published articles of the same category published before
    /// `article`, newest first.
    pub(crate) fn related(
        &self,
        article: ArticleId,
        n: usize,
    ) -> impl Iterator<Item = ArticleId> + '_ {
        let (list, pos) = match self.position.get(article).copied().flatten() {
            Some((cat, pos)) => (&self.oldest_first[cat][..], pos),
            None => (&[][..], 0),
        };
        list[pos.saturating_sub(n)..pos].iter().rev().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::Id;
    use chrono::NaiveDateTime;

    fn article(minute: u32, category: usize) -> PlannedArticle {
        PlannedArticle {
            pair: Default::default(),
            city: Default::default(),
            topic: Default::default(),
            id: format!("c/{minute}"),
            path: String::new(),
            publish_at: NaiveDateTime::parse_from_str(
                &format!("2026-01-01 00:{minute:02}:00"),
                "%Y-%m-%d %H:%M:%S",
            )
            .unwrap(),
            publish_from: crate::plan::schedule::PublishFrom::Slot,
            published: true,
            chosen: Default::default(),
            category,
        }
    }

    #[test]
    fn related_are_earlier_same_category_newest_first() {
        let articles: IdVec<_, _> = (0..10).map(|m| article(m, (m % 2) as usize)).collect();
        let newest: Vec<ArticleId> = articles.ids().rev().collect();
        let lists = CategoryLists::new(&articles, &newest, 2);
        let related = |i, n| {
            lists
                .related(Id::new(i), n)
                .map(Id::index)
                .collect::<Vec<_>>()
        };
        assert_eq!(related(8, 3), vec![6, 4, 2]);
        assert_eq!(related(2, 3), vec![0]);
        assert_eq!(related(0, 3).len(), 0);
    }
}
