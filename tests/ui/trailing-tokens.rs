// Nothing may follow the closing `>`.
nn::network! { struct Net < 2 => 1 sigmoid > extra }
fn main() {}
