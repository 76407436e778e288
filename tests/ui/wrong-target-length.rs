// Training targets have exactly the declared output length.
use nn::prelude::*;
use nn::{Mse, Sgd, Trainer};
network! { struct Xor < 2 => 4 relu => 1 sigmoid > }
fn main() {
    let mut net = Xor::new(0);
    let mut trainer = Trainer::new(Sgd::new(0.1, 0.0), Mse);
    let (x, y) = (SVector::<f32, 2>::zeros(), SVector::<f32, 2>::zeros());
    let _ = trainer.step(&mut net, (&[x], &[y]));
}
