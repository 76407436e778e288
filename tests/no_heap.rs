//! Small networks run without the heap: a counting global allocator shows that `forward`, the
//! batched forward, backward, a train step and an optimizer step allocate nothing (with the
//! `parallel` feature, a train step makes one allocation: the list of its samples).
#![allow(
    unsafe_code,
    reason = "a counting allocator must implement the unsafe GlobalAlloc"
)]

use nn::prelude::*;
use nn::{Adam, CrossEntropy, Optimizer, Sgd, Trainer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting the allocations made by the current thread.
struct Counting;

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `alloc`'s contract, which we pass on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

network! { struct Net < 8 => 16 relu => 16 tanh => 4 softmax > }

#[test]
fn the_counter_counts() {
    assert!(
        allocations(|| {
            std::hint::black_box(vec![1u8; 10]);
        }) >= 1
    );
}

#[test]
fn inference_and_training_allocate_nothing() {
    let mut net = Net::new(0);
    let x = SVector::<f32, 8>::from_fn(|i, _| i as f32 * 0.1);
    let xs = SMatrix::<f32, 8, 32>::from_fn(|r, c| (r + c) as f32 * 0.01);
    let y = SVector::<f32, 4>::from([0.0, 1.0, 0.0, 0.0]);
    let ys = SMatrix::<f32, 4, 32>::from_fn(|r, c| f32::from(u8::from(r == c % 4)));
    let mut grads = Net::default();
    let mut sgd = Sgd::new(0.1, 0.9);
    let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);

    assert_eq!(
        allocations(|| {
            std::hint::black_box(net.forward(&x));
        }),
        0,
        "forward"
    );
    assert_eq!(
        allocations(|| {
            std::hint::black_box(net.forward_batch(&xs));
        }),
        0,
        "batch"
    );
    let backward = || {
        std::hint::black_box(net.backward::<CrossEntropy, 32>(&xs, &ys, &mut grads));
    };
    assert_eq!(allocations(backward), 0, "backward");
    assert_eq!(
        allocations(|| sgd.step(&mut net, &grads).expect("finite")),
        0,
        "sgd step"
    );
    let (inputs, targets) = ([x; 3], [y; 3]);
    for _ in 0..2 {
        let step = || {
            let loss = trainer.step(&mut net, (&inputs, &targets));
            std::hint::black_box(loss.expect("finite"));
        };
        // With `parallel`, a step first lists its batch's samples (one allocation) to split
        // them over threads; a batch this small then stays on this thread.
        let expected = usize::from(cfg!(feature = "parallel"));
        assert_eq!(allocations(step), expected, "train step with Adam");
    }
}
