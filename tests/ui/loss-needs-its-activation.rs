// Cross-entropy is computed from a softmax output layer.
use nn::prelude::*;
use nn::{CrossEntropy, Sgd, Trainer};
network! { struct Net < 2 => 4 relu => 3 linear > }
fn main() {
    let mut net = Net::new(0);
    let mut trainer = Trainer::new(Sgd::new(0.1, 0.0), CrossEntropy);
    let (x, y) = (SVector::<f32, 2>::zeros(), SVector::<f32, 3>::zeros());
    let _ = trainer.step(&mut net, (&[x], &[y]));
}
