//! How many groups of which sizes, and the matching rounds that build them.
//!
//! A group of size s is built by merging two parts of sizes ⌈s/2⌉ and ⌊s/2⌋, each built
//! the same way, down to single people: 4 = 2+2, 3 = 2+1, 7 = (2+2)+(2+1). Every level of
//! that tree holds sizes that differ by at most one, and a round that merges them is one
//! perfect matching in which only the right size combinations are allowed. Single people
//! who are not merged in a round (the "1" of a 2+1) sit it out.

/// The number of groups and their sizes: `groups` groups of `base` people, `larger` of
/// which get one more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub groups: usize,
    pub base: usize,
    pub larger: usize,
}

impl Layout {
    /// `None` for fewer than two people: nobody can be grouped.
    ///
    /// Groups have `group_size` people and the remainder makes some of them one larger.
    /// When the remainder exceeds the number of groups (7 people in fours), we use as
    /// many groups as needed for sizes that are as even as possible (4 + 3) instead.
    pub fn new(people: usize, group_size: usize) -> Option<Layout> {
        if people < 2 {
            return None;
        }
        let full = people / group_size;
        let remainder = people - full * group_size;
        let groups = if full >= 1 && remainder <= full {
            full
        } else {
            people.div_ceil(group_size + 1)
        };
        Some(Layout {
            groups,
            base: people / groups,
            larger: people % groups,
        })
    }
}

/// One matching round: which merged sizes it builds, and how many of each per group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MergeRound {
    /// Sizes of the parts being merged this round.
    pub part_sizes: Vec<usize>,
    /// (size built, how many per group). A merge of parts `a` and `b` is allowed when
    /// `a + b` is one of these sizes and `|a - b| <= 1`.
    pub builds: Vec<(usize, usize)>,
}

impl MergeRound {
    pub fn allows(&self, a: usize, b: usize) -> bool {
        a.abs_diff(b) <= 1 && self.builds.iter().any(|&(size, _)| size == a + b)
    }

    pub fn merges_per_group(&self) -> usize {
        self.builds.iter().map(|&(_, count)| count).sum()
    }
}

/// The rounds that build a group of `size` people from single people, first round first.
pub(crate) fn merge_rounds(size: usize) -> Vec<MergeRound> {
    // levels[0] = [size]; each next level splits every part of 2+ in two halves and
    // keeps single people as they are (they wait for a later round).
    let mut levels = vec![vec![size]];
    while let Some(last) = levels.last().filter(|level| level.iter().any(|&s| s > 1)) {
        let next = last
            .iter()
            .flat_map(|&s| {
                if s > 1 {
                    vec![s.div_ceil(2), s / 2]
                } else {
                    vec![1]
                }
            })
            .collect();
        levels.push(next);
    }
    let mut rounds: Vec<MergeRound> = levels
        .windows(2)
        .map(|pair| {
            let (built, parts) = (&pair[0], &pair[1]);
            let built: Vec<usize> = built.iter().copied().filter(|&s| s > 1).collect();
            MergeRound {
                part_sizes: distinct(parts),
                builds: distinct(&built)
                    .into_iter()
                    .map(|size| (size, built.iter().filter(|&&s| s == size).count()))
                    .collect(),
            }
        })
        .collect();
    rounds.reverse();
    rounds
}

fn distinct(sizes: &[usize]) -> Vec<usize> {
    let mut sizes = sizes.to_vec();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(people: usize, group_size: usize) -> (usize, usize, usize) {
        let l = Layout::new(people, group_size).expect("at least two people");
        (l.groups, l.base, l.larger)
    }

    #[test]
    fn pairs_with_an_odd_count_make_exactly_one_trio() {
        assert_eq!(layout(2, 2), (1, 2, 0));
        assert_eq!(layout(3, 2), (1, 3, 0));
        assert_eq!(layout(11, 2), (5, 2, 1));
    }

    #[test]
    fn the_remainder_makes_groups_one_larger() {
        assert_eq!(layout(9, 4), (2, 4, 1));
        assert_eq!(layout(10, 3), (3, 3, 1));
        assert_eq!(layout(5, 4), (1, 5, 0));
        assert_eq!(layout(100, 8), (12, 8, 4));
    }

    #[test]
    fn small_rosters_get_the_most_even_sizes_instead_of_oversized_groups() {
        assert_eq!(layout(7, 4), (2, 3, 1));
        assert_eq!(layout(6, 4), (2, 3, 0));
        assert_eq!(layout(2, 8), (1, 2, 0));
        assert_eq!(layout(10, 8), (2, 5, 0));
        assert!(Layout::new(1, 2).is_none());
        assert!(Layout::new(0, 2).is_none());
    }

    #[test]
    fn layouts_cover_everyone_with_sizes_within_one() {
        for group_size in 2..=8 {
            for people in 2..200 {
                let l = Layout::new(people, group_size).expect("two or more");
                assert_eq!(l.groups * l.base + l.larger, people);
                assert!(l.larger < l.groups);
                assert!(l.base >= 2);
                if people >= group_size * (group_size + 1) {
                    assert_eq!(l.base, group_size, "{people} in {group_size}s");
                }
            }
        }
    }

    #[test]
    fn pairs_take_one_round() {
        let rounds = merge_rounds(2);
        assert_eq!(rounds.len(), 1);
        assert_eq!(rounds[0].part_sizes, vec![1]);
        assert_eq!(rounds[0].builds, vec![(2, 1)]);
    }

    #[test]
    fn trios_are_a_pair_then_a_single() {
        let rounds = merge_rounds(3);
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0].builds, vec![(2, 1)]);
        assert_eq!(rounds[1].part_sizes, vec![1, 2]);
        assert!(rounds[1].allows(2, 1));
        assert!(!rounds[1].allows(1, 1));
        assert!(!rounds[1].allows(2, 2));
    }

    #[test]
    fn sevens_are_pairs_then_a_four_and_a_three() {
        let rounds = merge_rounds(7);
        assert_eq!(rounds.len(), 3);
        assert_eq!(rounds[0].builds, vec![(2, 3)]);
        assert_eq!(rounds[1].builds, vec![(3, 1), (4, 1)]);
        assert!(rounds[1].allows(2, 2) && rounds[1].allows(2, 1) && !rounds[1].allows(1, 1));
        assert!(rounds[2].allows(4, 3));
    }

    #[test]
    fn every_round_merges_all_but_the_waiting_singles() {
        for size in 2..=9 {
            let rounds = merge_rounds(size);
            let mut parts = size;
            for round in &rounds {
                parts -= round.merges_per_group();
            }
            assert_eq!(parts, 1, "size {size}");
        }
    }
}
