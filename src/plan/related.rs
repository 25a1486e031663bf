//! Related-articles blocks in one pass: each category's published articles sorted once by
//! publish time; an article's block is the slice just before it. O(n log n) in all.

use super::PlannedArticle;

/// Per category, published articles oldest first, and each article's position there.
#[derive(Debug, Default)]
pub struct CategoryLists {
    oldest_first: Vec<Vec<usize>>,
    position: Vec<Option<(usize, usize)>>,
}

impl CategoryLists {
    /// Builds the lists from the site's newest-first order.
    pub fn new(articles: &[PlannedArticle], newest_first: &[usize], categories: usize) -> Self {
        let mut oldest_first = vec![Vec::new(); categories];
        let mut position = vec![None; articles.len()];
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
    pub fn related(&self, article: usize, n: usize) -> impl Iterator<Item = usize> + '_ {
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
    use chrono::NaiveDateTime;

    fn article(minute: u32, category: usize) -> PlannedArticle {
        PlannedArticle {
            pair: 0,
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
        let articles: Vec<_> = (0..10).map(|m| article(m, (m % 2) as usize)).collect();
        let newest: Vec<usize> = (0..10).rev().collect();
        let lists = CategoryLists::new(&articles, &newest, 2);
        assert_eq!(lists.related(8, 3).collect::<Vec<_>>(), vec![6, 4, 2]);
        assert_eq!(lists.related(2, 3).collect::<Vec<_>>(), vec![0]);
        assert_eq!(lists.related(0, 3).count(), 0);
    }
}
