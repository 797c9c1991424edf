//! Bounded in-memory logs: the invocation reports and the SNS message log keep only their
//! newest entries, so a long-running stack does not grow without end.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// How many entries an in-memory log keeps by default (the newest ones).
pub const DEFAULT_CAPACITY: usize = 10_000;

/// A log of the newest `capacity` entries, shared between the writer (an observer) and
/// the readers (the control API, tests). Cloning shares the same log.
#[derive(Debug)]
pub struct BoundedLog<T> {
    capacity: usize,
    entries: Arc<Mutex<VecDeque<T>>>,
}

impl<T> Clone for BoundedLog<T> {
    fn clone(&self) -> Self {
        Self { capacity: self.capacity, entries: Arc::clone(&self.entries) }
    }
}

impl<T: Clone> Default for BoundedLog<T> {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl<T: Clone> BoundedLog<T> {
    /// An empty log that keeps the newest `capacity` entries (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self { capacity: capacity.max(1), entries: Arc::default() }
    }

    /// How many entries it keeps at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Appends `entry`, dropping the oldest entry when the log is full.
    pub fn push(&self, entry: T) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        while entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The entries kept, oldest first, that `keep` accepts.
    pub fn snapshot_where(&self, mut keep: impl FnMut(&T) -> bool) -> Vec<T> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.iter().filter(|e| keep(e)).cloned().collect()
    }

    /// How many of the entries kept `keep` accepts (without copying them).
    pub fn count_where(&self, mut keep: impl FnMut(&T) -> bool) -> usize {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.iter().filter(|e| keep(e)).count()
    }

    /// Every entry kept, oldest first.
    pub fn snapshot(&self) -> Vec<T> {
        self.snapshot_where(|_| true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_entries() {
        let log = BoundedLog::with_capacity(3);
        for n in 0..5 {
            log.push(n);
        }
        assert_eq!(log.snapshot(), vec![2, 3, 4]);
        assert_eq!(log.snapshot_where(|n| n % 2 == 0), vec![2, 4]);
        assert_eq!(log.count_where(|n| n % 2 == 0), 2);
    }
}
