// The output layer needs an activation too.
nn::network! { struct Net < 2 => 4 relu => 1 > }
fn main() {}
