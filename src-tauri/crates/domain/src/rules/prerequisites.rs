use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Prerequisite edges: `course → the courses it requires`.
#[derive(Debug, Default, Clone)]
pub struct PrerequisiteGraph {
    requires: HashMap<Uuid, Vec<Uuid>>,
}

impl PrerequisiteGraph {
    pub fn from_edges(edges: impl IntoIterator<Item = (Uuid, Uuid)>) -> Self {
        let mut requires: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (course, prerequisite) in edges {
            requires.entry(course).or_default().push(prerequisite);
        }
        Self { requires }
    }

    /// If making `course` require `prerequisite` would close a cycle, the cycle as a path that
    /// starts and ends at `course` (e.g. `[A, B, C, A]`: A needs B, B needs C, C needs A).
    pub fn cycle_if_added(&self, course: Uuid, prerequisite: Uuid) -> Option<Vec<Uuid>> {
        if course == prerequisite {
            return Some(vec![course, course]);
        }
        // A cycle exists when `prerequisite` already (transitively) requires `course`.
        let mut came_from: HashMap<Uuid, Uuid> = HashMap::new();
        let mut stack = vec![prerequisite];
        let mut seen: HashSet<Uuid> = HashSet::from([prerequisite]);
        while let Some(current) = stack.pop() {
            for &next in self.requires.get(&current).into_iter().flatten() {
                if !seen.insert(next) {
                    continue;
                }
                came_from.insert(next, current);
                if next == course {
                    let mut path = vec![course];
                    let mut step = course;
                    while let Some(&previous) = came_from.get(&step) {
                        path.push(previous);
                        step = previous;
                    }
                    path.push(course);
                    path.reverse();
                    // path is now [course, prerequisite, ..., course]
                    return Some(path);
                }
                stack.push(next);
            }
        }
        None
    }
}

/// The prerequisites of a course that a person has not completed, in the order given.
pub fn missing(required: &[Uuid], completed: &HashSet<Uuid>) -> Vec<Uuid> {
    required.iter().copied().filter(|c| !completed.contains(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids<const N: usize>() -> [Uuid; N] {
        std::array::from_fn(|_| crate::new_id())
    }

    #[test]
    fn a_chain_is_not_a_cycle() {
        let [a, b, c] = ids();
        let graph = PrerequisiteGraph::from_edges([(b, a), (c, b)]);
        assert_eq!(graph.cycle_if_added(c, a), None);
    }

    #[test]
    fn closing_a_loop_is_reported_with_its_path() {
        let [a, b, c] = ids();
        // b needs a, c needs b; now a would need c.
        let graph = PrerequisiteGraph::from_edges([(b, a), (c, b)]);
        assert_eq!(graph.cycle_if_added(a, c), Some(vec![a, c, b, a]));
    }

    #[test]
    fn direct_two_course_cycle_and_self_reference() {
        let [a, b] = ids();
        let graph = PrerequisiteGraph::from_edges([(a, b)]);
        assert_eq!(graph.cycle_if_added(b, a), Some(vec![b, a, b]));
        assert_eq!(graph.cycle_if_added(a, a), Some(vec![a, a]));
    }

    #[test]
    fn diamonds_are_fine() {
        let [base, left, right, top] = ids();
        let graph = PrerequisiteGraph::from_edges([(left, base), (right, base), (top, left)]);
        assert_eq!(graph.cycle_if_added(top, right), None);
    }

    #[test]
    fn missing_lists_uncompleted_prerequisites() {
        let [a, b, c] = ids();
        let completed = HashSet::from([b]);
        assert_eq!(missing(&[a, b, c], &completed), vec![a, c]);
        assert!(missing(&[b], &completed).is_empty());
    }
}
