//! A large network (`784 => 128 relu => 10 softmax`, 101 770 parameters, 407 kB) builds and
//! trains. Its layers, gradient and optimizer state are held inline, like a small network's: in
//! release builds that fits a default 2 MiB thread, but in debug builds nalgebra's construction
//! of a 128×784 static matrix puts several copies of it on the stack, so this test runs on a
//! thread of 16 MiB (the open part of the performance issue: box large layers).
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Trainer};

network! { struct Mnist < 784 => 128 relu => 10 softmax > }

#[test]
fn a_784_wide_network_trains() {
    let thread = std::thread::Builder::new().stack_size(16 << 20);
    thread
        .spawn(train)
        .expect("a thread")
        .join()
        .expect("no stack overflow");
}

fn train() {
    let x = Box::new(SVector::<f32, 784>::from_fn(|i, _| (i % 7) as f32 / 7.0));
    let y = SVector::<f32, 10>::from_fn(|i, _| f32::from(u8::from(i == 3)));
    let mut net = Box::new(Mnist::new(0));
    let mut trainer = Box::new(Trainer::new(Adam::new(0.001), CrossEntropy));
    let before = trainer.step(&mut *net, [(&*x, &y)]).expect("finite");
    for _ in 0..5 {
        trainer.step(&mut *net, [(&*x, &y)]).expect("finite");
    }
    let after = trainer.step(&mut *net, [(&*x, &y)]).expect("finite");
    assert!(after < before, "{after} < {before}");
    assert_eq!(Mnist::PARAMS, 101_770);
}
