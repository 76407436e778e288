//! A Keras-like table of a network's layers.
use crate::{Model, Storage};

/// A Keras-like table of the layers, their shapes and parameter counts: `net.summary()` for
/// every network (the trait is in the prelude).
///
/// ```
/// use nn::prelude::*;
/// network! { struct Xor < 2 => 4 relu => 1 sigmoid > }
/// assert!(Xor::new(0).summary().contains("17 parameters"));
/// ```
pub trait Summary: Model {
    /// The table: one row per layer, then the totals and where the numbers live.
    fn summary(&self) -> String {
        let mut s = String::from("layer      weights    params  activation\n");
        for (i, layer) in (1..).zip(Self::LAYERS) {
            let name = format!("l{i}");
            let shape = format!("{}×{}", layer.outputs, layer.inputs);
            let params = layer.outputs * (layer.inputs + 1);
            let activation = layer.activation;
            s += &format!("{name:<8}{shape:>10}{params:>10}  {activation}\n");
        }
        let p = Self::PARAMS;
        let b = Self::BYTES;
        let m = Self::MACS;
        let store = Self::Store::NAME;
        s + &format!("{p} parameters ({b} bytes, {store}), {m} multiply-adds per sample")
    }
}

impl<N: Model> Summary for N {}
