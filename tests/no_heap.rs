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
// Inline, with products of 65 536 multiply-adds for a batch of 32: over `nn::BLOCKED_GEMM`,
// where a heap network's products would go to `matrixmultiply` (which allocates).
network! { struct Digits < 64 => 32 relu => 10 softmax > }

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
    allocate_nothing::<Net, 8, 4>();
    allocate_nothing::<Digits, 64, 10>();
}

fn allocate_nothing<N, const I: usize, const O: usize>()
where
    N: Network<I, O> + Model<Scalar = f32, Output = nn::Softmax>,
{
    let mut net = N::new(0);
    let x = SVector::<f32, I>::from_fn(|i, _| i as f32 * 0.1);
    let xs = SMatrix::<f32, I, 32>::from_fn(|r, c| (r + c) as f32 * 0.01);
    let y = SVector::<f32, O>::from_fn(|r, _| f32::from(u8::from(r == 1)));
    let ys = SMatrix::<f32, O, 32>::from_fn(|r, c| f32::from(u8::from(r == c % O)));
    let mut grads = N::default();
    let mut sgd = Sgd::new(0.1, 0.9);
    let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);
    let name = N::ARCHITECTURE;

    assert_eq!(
        allocations(|| {
            std::hint::black_box(net.forward(&x));
        }),
        0,
        "{name}: forward"
    );
    assert_eq!(
        allocations(|| {
            std::hint::black_box(net.forward_batch(&xs));
        }),
        0,
        "{name}: batch"
    );
    let backward = || {
        std::hint::black_box(net.backward::<CrossEntropy, 32>(&xs, &ys, &mut grads));
    };
    assert_eq!(allocations(backward), 0, "{name}: backward");
    assert_eq!(
        allocations(|| sgd.step(&mut net, &grads).expect("finite")),
        0,
        "{name}: sgd step"
    );
    // 43 samples: a chunk of 32 columns, one of 8, three single ones.
    let inputs: Vec<_> = (0..43).map(|k| x * (k as f32 * 0.02)).collect();
    let targets = vec![y; 43];
    for _ in 0..2 {
        let step = || {
            let loss = trainer.step(&mut net, (&inputs, &targets));
            std::hint::black_box(loss.expect("finite"));
        };
        // With `parallel` too: a batch this small stays on this thread, and the reduction
        // lists the shards of a larger one only when it splits it.
        assert_eq!(allocations(step), 0, "{name}: train step with Adam");
    }
}

/// How many allocations one `nn::gemm` of an `M×K` by `K×N` product `c += a·b` makes.
fn gemm_allocations<S: nn::Storage, const M: usize, const K: usize, const N: usize>() -> usize {
    let a = vec![0.5f32; M * K];
    let b = vec![0.25f32; K * N];
    let mut c = vec![0.0f32; M * N];
    allocations(|| nn::gemm::<S, f32, M, K, N>(&mut c, &a, &b, nn::Product::AB))
}

/// Only a heap network's products of at least `nn::BLOCKED_GEMM` multiply-adds with every side
/// over 5 go to `matrixmultiply`, whose packing buffers are the allocations counted here.
/// Mutations caught: the threshold or the side test changed; the storage ignored.
#[test]
fn only_large_heap_products_allocate() {
    assert_eq!(gemm_allocations::<nn::Heap, 16, 40, 32>(), 0); // 20 480 multiply-adds
    assert!(gemm_allocations::<nn::Heap, 32, 32, 32>() > 0); // 32 768: the threshold
    assert_eq!(gemm_allocations::<nn::Heap, 32, 32, 31>(), 0); // 31 744
    assert_eq!(gemm_allocations::<nn::Heap, 5, 100, 100>(), 0); // a side of 5
    assert!(gemm_allocations::<nn::Heap, 6, 100, 100>() > 0);
    assert!(gemm_allocations::<nn::Heap, 100, 6, 100>() > 0);
    assert_eq!(gemm_allocations::<nn::Heap, 100, 100, 5>(), 0);
    assert_eq!(gemm_allocations::<nn::Inline, 128, 128, 32>(), 0);
}
