//! 其他城市的同类问题: for each article, the same topic's articles of other cities, those
//! of the same province first (newest first within each group). The per-topic province
//! groups are built once per build, so each article's list costs at most its province's
//! size plus the list's length, never a walk over the whole topic.

use super::Renderer;
use crate::model::ids::{ArticleId, IdVec, TopicId};
use std::collections::HashMap;

/// How many other cities an article names.
pub(crate) const OTHER_CITIES: usize = 8;

/// Per topic: its published articles by province (a city without a province is its own),
/// each group newest first as in `Plan::by_topic`.
#[derive(Default)]
pub(crate) struct ProvinceGroups {
    groups: IdVec<TopicId, HashMap<String, Vec<ArticleId>>>,
}

impl Renderer<'_> {
    fn province_groups(&self) -> &ProvinceGroups {
        self.province_groups.get_or_init(|| ProvinceGroups {
            groups: self.plan.by_topic.map(|list| {
                let mut by: HashMap<String, Vec<ArticleId>> = HashMap::new();
                for &i in list {
                    by.entry(self.province_of(i).to_string())
                        .or_default()
                        .push(i);
                }
                by
            }),
        })
    }

    fn province_of(&self, i: ArticleId) -> &str {
        let city = &self.input.cities[self.plan.articles[i].city];
        city.province.as_deref().unwrap_or(&city.name)
    }

    /// Article `i`'s other-city articles of its topic: same province first, then the
    /// newest of the others, [`OTHER_CITIES`] at most.
    pub(crate) fn other_cities(&self, i: ArticleId) -> Vec<ArticleId> {
        let a = &self.plan.articles[i];
        let province = self.province_of(i);
        let near = self.province_groups().groups[a.topic]
            .get(province)
            .map_or(&[][..], |v| &v[..]);
        let mut out: Vec<ArticleId> = near
            .iter()
            .copied()
            .filter(|&j| j != i)
            .take(OTHER_CITIES)
            .collect();
        let far = self.plan.by_topic[a.topic]
            .iter()
            .copied()
            .filter(|&j| self.province_of(j) != province);
        let room = OTHER_CITIES - out.len();
        out.extend(far.take(room));
        out
    }
}
