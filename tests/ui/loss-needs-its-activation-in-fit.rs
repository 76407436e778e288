// Binary cross-entropy is computed from a sigmoid output layer, in `fit` too.
use nn::prelude::*;
use nn::{Adam, BinaryCrossEntropy, Fit, Trainer};
network! { struct Net < 2 => 4 relu => 3 softmax > }
fn main() {
    let mut net = Net::new(0);
    let mut trainer = Trainer::new(Adam::new(0.01), BinaryCrossEntropy);
    let (x, y) = (vec![SVector::<f32, 2>::zeros()], vec![SVector::<f32, 3>::zeros()]);
    let _ = trainer.fit(&mut net, (&x, &y), None, &Fit::default());
}
