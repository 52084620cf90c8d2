//! Work shared among the cores. Items are handed out one at a time from a shared counter, so a thread that
//! drew cheap pages takes more of them instead of waiting for one that drew the expensive ones.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads to use for `items` items.
fn workers(items: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(items).max(1)
}

/// `f` applied to every item, in the items' order. Each thread starts from its own `state()` (a policy set
/// the admissions may mutate, say); `f` sees that state and the item.
pub(crate) fn map_with<T, S, R>(items: &[T], state: impl Fn() -> S + Sync, f: impl Fn(&mut S, &T) -> R + Sync) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let threads = workers(items.len());
    if threads <= 1 {
        let mut s = state();
        return items.iter().map(|item| f(&mut s, item)).collect();
    }
    let next = AtomicUsize::new(0);
    let (next, state, f) = (&next, &state, &f);
    let mut parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut s = state();
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(&mut s, item)));
                    }
                    done
                })
            })
            .collect();
        // A panic in `f` is a bug in this program, not bad input: carry it to the caller as it would have
        // surfaced without threads.
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in parts.iter_mut().flat_map(std::mem::take) {
        slots[i] = Some(r);
    }
    slots.into_iter().flatten().collect()
}

/// `f` applied to every item, in the items' order.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(items, || (), |_, item| f(item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_and_visits_every_item_once() {
        let items: Vec<u64> = (0..10_007).collect();
        // Uneven work, so the threads finish their items out of order.
        let out = map(&items, |&i| {
            let mut x = i;
            for _ in 0..(i % 97) * 50 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            (i, x)
        });
        assert_eq!(out.len(), items.len());
        assert!(out.iter().enumerate().all(|(k, (i, _))| k as u64 == *i));
        assert_eq!(map(&[] as &[u8], |&b| b), Vec::<u8>::new());
    }

    #[test]
    fn a_state_is_made_once_per_thread_and_kept_across_its_items() {
        let items: Vec<usize> = (0..1000).collect();
        let made = AtomicUsize::new(0);
        // Each state is (which state, how many items it has seen so far).
        let seen = map_with(
            &items,
            || (made.fetch_add(1, Ordering::Relaxed), 0usize),
            |(id, count), _| {
                *count += 1;
                (*id, *count)
            },
        );
        let states = made.load(Ordering::Relaxed);
        assert!(states >= 1 && states <= workers(items.len()), "{states} states for {} threads", workers(1000));
        // Every state counted 1, 2, 3, ... over its items, and the counts add up to every item once.
        let mut total = 0;
        for id in 0..states {
            let mut counts: Vec<usize> = seen.iter().filter(|(i, _)| *i == id).map(|(_, c)| *c).collect();
            counts.sort_unstable();
            assert!(counts.iter().enumerate().all(|(k, c)| *c == k + 1), "state {id}: {counts:?}");
            total += counts.len();
        }
        assert_eq!(total, items.len());
    }
}
