//! `nn::gemm`, the one product every layer is made of, against nalgebra's own products, for
//! each of the three products, on both sides of the blocked-GEMM threshold (static loops
//! below it, `matrixmultiply` above it, thin matrices static).
use nalgebra::DMatrix;
use nn::{gemm, Product};

/// `c + op(a)·op(b)` by nn and by nalgebra's dense products, with `c` starting non-zero.
fn check<const M: usize, const K: usize, const N: usize>() {
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
        gemm::<f32, M, K, N>(got.as_mut_slice(), a.as_slice(), b.as_slice(), product);
        let worst = (&got - &want).abs().max();
        assert!(worst < 1e-3, "{M}×{K}×{N} {product:?}: off by {worst}");
        assert!(want.abs().max() > 1.0);
    }
}

#[test]
fn every_operand_order_on_both_sides_of_the_threshold() {
    check::<4, 3, 2>();
    check::<16, 40, 32>(); // 20 480 multiply-adds: static
    check::<32, 40, 32>(); // 40 960: blocked
    check::<128, 784, 32>();
    check::<3, 4000, 8>(); // large but thin: static
    check::<10, 128, 1>();
}
