//! `nn::gemm`, the one product every layer is made of, against nalgebra's own products, for
//! each of the three products, in both storages and on both sides of the blocked-GEMM
//! threshold (a heap network's products static below it, `matrixmultiply` above it, thin
//! matrices static; an inline network's always static, `aᵀ` copied or not, `a·bᵀ` on `c`
//! or on a copy of `cᵀ`).
use nalgebra::DMatrix;
use nn::{gemm, Heap, Inline, Product, Storage};

/// `c + op(a)·op(b)` by nn and by nalgebra's dense products, with `c` starting non-zero.
fn check<S: Storage, const M: usize, const K: usize, const N: usize>() {
    let value = |r: usize, c: usize, k: usize| ((r * 7 + c * 3 + k) % 11) as f32 * 0.25 - 1.0;
    for product in [Product::AB, Product::AtB, Product::ABt] {
        let a = match product {
            Product::AtB => DMatrix::from_fn(K, M, |r, c| value(c, r, 1)),
            _ => DMatrix::from_fn(M, K, |r, c| value(r, c, 1)),
        };
        let b = match product {
            Product::ABt => DMatrix::from_fn(N, K, |r, c| value(c, r, 2)),
            _ => DMatrix::from_fn(K, N, |r, c| value(r, c, 2)),
        };
        let c = DMatrix::from_fn(M, N, |r, c| value(r, c, 3));
        let want = match product {
            Product::AB => &c + &a * &b,
            Product::AtB => &c + a.transpose() * &b,
            Product::ABt => &c + &a * b.transpose(),
        };
        let mut got = c.clone();
        gemm::<S, f32, M, K, N>(got.as_mut_slice(), a.as_slice(), b.as_slice(), product);
        let worst = (&got - &want).abs().max();
        assert!(
            worst < 1e-3,
            "{} {M}×{K}×{N} {product:?}: off by {worst}",
            S::NAME
        );
        assert!(want.abs().max() > 1.0);
    }
}

#[test]
fn every_operand_order_on_both_sides_of_the_threshold() {
    check::<Heap, 4, 3, 2>();
    check::<Heap, 16, 40, 32>(); // 20 480 multiply-adds: static
    check::<Heap, 32, 40, 32>(); // 40 960: blocked
    check::<Heap, 128, 784, 32>();
    check::<Heap, 3, 4000, 8>(); // large but thin: static
    check::<Heap, 10, 128, 1>();
}

#[test]
fn inline_products_are_static_at_every_size() {
    check::<Inline, 4, 3, 2>();
    check::<Inline, 32, 40, 32>(); // aᵀ copied
    check::<Inline, 64, 64, 3>(); // aᵀ of 4096 values: copied
    check::<Inline, 65, 64, 3>(); // of 4160: dot products
    check::<Inline, 128, 784, 32>();
    check::<Inline, 10, 32, 32>(); // a·bᵀ on a copy of cᵀ
    check::<Inline, 3, 600, 8>(); // aᵀ of 1800 values copied; a·bᵀ on a copy of cᵀ
    check::<Inline, 1, 80, 8>();
    check::<Inline, 8, 8, 8>(); // 512 multiply-adds: the smallest in registers
    check::<Inline, 16, 20, 7>(); // 4 columns at a time, 3 left
    check::<Inline, 24, 20, 5>(); // 2 at a time, 1 left
    check::<Heap, 3, 5, 2000>(); // cᵀ of 6000 values: nalgebra's loops
    check::<Heap, 4100, 2, 1>(); // more rows than fit in registers: nalgebra's loops
    check::<Heap, 2, 1, 4104>();
}

#[test]
fn empty_products_change_nothing() {
    let mut c = [1.0_f32; 8];
    for product in [Product::AB, Product::AtB, Product::ABt] {
        gemm::<Inline, f32, 1, 0, 8>(&mut c, &[], &[], product);
        gemm::<Inline, f32, 0, 3, 8>(&mut [], &[0.0; 0], &[1.0; 24], product);
        gemm::<Inline, f32, 8, 3, 0>(&mut [], &[1.0; 24], &[0.0; 0], product);
    }
    assert_eq!(c, [1.0; 8]);
}
