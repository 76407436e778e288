// A batch whose rows are not the network's inputs: the message names the rows expected and
// the matrix found.
use nn::prelude::*;
nn::network! { struct Net < 2 => 4 relu => 1 sigmoid > }
fn main() {
    let net = Net::new(0);
    let batch = SMatrix::<f32, 4, 16>::zeros();
    let _ = net.forward_batch(&batch);
}
