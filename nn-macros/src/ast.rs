//! Stage 1: the declaration as written, with its spans.
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Error, Ident, LitInt, Result, Token, Visibility};

/// The activations `network!` knows, by their DSL names; the `nn` type is the name in
/// CamelCase (`leaky_relu` is `LeakyRelu`).
pub const ACTIVATIONS: &str = "linear relu leaky_relu sigmoid tanh softmax gelu elu silu softplus";

/// The activations as a message lists them: "`linear`, `relu`, ...".
pub fn activation_names() -> String {
    let names: Vec<_> = ACTIVATIONS.split(' ').map(|n| format!("`{n}`")).collect();
    names.join(", ")
}

/// A network declaration:
///
/// ```text
/// ATTRS* VIS struct NAME (: f32 | : f64)? < INPUT (=> SIZE ACTIVATION)+ >
///     (const CONST_NAME (: int8)? = "weights.safetensors";)*
/// ```
pub struct NetworkDef {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// The scalar type, `f32` when absent.
    pub dtype: Option<Ident>,
    /// The input size.
    pub input: LitInt,
    /// Each `=> SIZE ACTIVATION`.
    pub layers: Vec<LayerDef>,
    /// Each `const NAME = "path";`: trained weights to embed (the `embed` module).
    pub consts: Vec<crate::embed::ConstDef>,
}

/// One `=> SIZE ACTIVATION`: a dense layer of `SIZE` outputs.
pub struct LayerDef {
    pub size: LitInt,
    pub activation: Ident,
}

impl Parse for NetworkDef {
    fn parse(stream: ParseStream) -> Result<Self> {
        let attrs = stream.call(Attribute::parse_outer)?;
        let vis = stream.parse()?;
        stream.parse::<Token![struct]>()?;
        let name = stream.parse();
        let name = name.map_err(|e| Error::new(e.span(), "expected the network's name"))?;
        let colon = stream.parse::<Option<Token![:]>>()?;
        let dtype = colon.map(|_| stream.parse()).transpose()?;
        stream.parse::<Token![<]>()?;
        let input = size(stream)?;
        let mut layers = Vec::new();
        while !stream.peek(Token![>]) {
            let arrow = stream.parse::<Token![=>]>();
            arrow.map_err(|_| stream.error("expected `=>` and a layer, or `>`"))?;
            let size = size(stream)?;
            let activation = activation(stream)?;
            layers.push(LayerDef { size, activation });
        }
        stream.parse::<Token![>]>()?;
        let mut consts = Vec::new();
        while stream.peek(Token![const]) {
            consts.push(stream.parse()?);
        }
        if !stream.is_empty() {
            let msg = "unexpected tokens after the network's closing `>`, expected \
                       `const NAME = \"weights.safetensors\";` or nothing";
            return Err(stream.error(msg));
        }
        Ok(Self {
            attrs,
            vis,
            name,
            dtype,
            input,
            layers,
            consts,
        })
    }
}

/// Parses a size, which must be an integer literal.
fn size(input: ParseStream) -> Result<LitInt> {
    let error = |_| input.error("expected a size, an integer literal such as `4`");
    input.parse().map_err(error)
}

/// Parses the activation that must follow a layer's size.
fn activation(input: ParseStream) -> Result<Ident> {
    let names = activation_names();
    let msg = format!("expected an activation after the layer's size, one of {names}");
    input.parse().map_err(|_| input.error(msg))
}
