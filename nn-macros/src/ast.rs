//! Stage 1: the declaration as written, with its spans.
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Error, Ident, LitInt, LitStr, Result, Token, Visibility};

/// A network declaration:
///
/// ```text
/// ATTRS* VIS struct NAME (: f32 | : f64)? < INPUT (=> SIZE ACTIVATION)+ >
///     (const CONST_NAME = "weights.safetensors";)*
/// ```
pub struct NetworkDef {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// The scalar type, `f32` when absent.
    pub dtype: Option<Ident>,
    pub input: LitInt,
    pub layers: Vec<LayerDef>,
    /// The closing `>`, where an error about the layers as a whole points.
    pub close: Token![>],
    /// Trained weights to embed, each as a `const` of the network's type.
    pub consts: Vec<ConstDef>,
}

/// One `const NAME = "path";`: a safetensors file, relative to the crate's `Cargo.toml`.
pub struct ConstDef {
    pub name: Ident,
    pub path: LitStr,
}

/// One `=> SIZE ACTIVATION`.
pub struct LayerDef {
    pub size: LitInt,
    pub activation: Ident,
}

impl Parse for NetworkDef {
    fn parse(input: ParseStream) -> Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name = input.parse().map_err(|e| {
            Error::new(
                e.span(),
                "expected the network's name, as in `struct Xor < 2 => 1 sigmoid >`",
            )
        })?;
        let dtype = match input.parse::<Option<Token![:]>>()? {
            Some(_) => Some(input.parse()?),
            None => None,
        };
        input.parse::<Token![<]>()?;
        let first = size(input, "the input size")?;
        let mut layers = Vec::new();
        loop {
            let lookahead = input.lookahead1();
            if lookahead.peek(Token![>]) {
                break;
            } else if !lookahead.peek(Token![=>]) {
                return Err(lookahead.error());
            }
            input.parse::<Token![=>]>()?;
            let size = size(input, "a layer size")?;
            let activation = input.parse().map_err(|e| {
                Error::new(
                    e.span(),
                    "expected an activation after the layer size, such as `relu`",
                )
            })?;
            layers.push(LayerDef { size, activation });
        }
        let close = input.parse()?;
        let mut consts = Vec::new();
        while input.parse::<Option<Token![const]>>()?.is_some() {
            let name = input.parse()?;
            input.parse::<Token![=]>()?;
            let path = input.parse()?;
            input.parse::<Token![;]>()?;
            consts.push(ConstDef { name, path });
        }
        if !input.is_empty() {
            let msg = "unexpected tokens after the network's closing `>`, expected \
                       `const NAME = \"weights.safetensors\";` or nothing";
            return Err(input.error(msg));
        }
        let input = first;
        Ok(Self {
            attrs,
            vis,
            name,
            dtype,
            input,
            layers,
            close,
            consts,
        })
    }
}

/// Parses a size, which must be an integer literal.
fn size(input: ParseStream, what: &str) -> Result<LitInt> {
    if input.peek(LitInt) {
        input.parse()
    } else {
        Err(input.error(format!("expected {what}, an integer literal such as `4`")))
    }
}
