use nn::prelude::*;
network! { struct Cifar < 3072 => 512 relu => 10 softmax > }
network! { struct Mnist < 784 => 128 relu => 10 softmax > }

#[test]
fn mnist() {
    let net = Mnist::new(0);
    let xs = vec![SVector::<f32, 784>::repeat(0.5); 2];
    let q = nn::quantize(&net, &xs).unwrap();
    let bytes = nn::to_bytes(&q).unwrap();
    let back: nn::Quantized<Mnist> = nn::from_bytes(&bytes).unwrap();
    assert_eq!(back.forward(&xs[0]), q.forward(&xs[0]));
}

#[test]
fn cifar() {
    let net = Cifar::new(0);
    let xs = vec![SVector::<f32, 3072>::repeat(0.5); 2];
    let q = nn::quantize(&net, &xs).unwrap();
    let bytes = nn::to_bytes(&q).unwrap();
    let back: nn::Quantized<Cifar> = nn::from_bytes(&bytes).unwrap();
    assert_eq!(back.forward(&xs[0]), q.forward(&xs[0]));
}
