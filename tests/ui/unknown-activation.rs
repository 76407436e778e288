// An activation must be one that nn implements; the error lists them.
nn::network! { struct Net < 2 => 4 sigmod => 1 sigmoid > }
fn main() {}
