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
    /// Each `=> SIZE ACTIVATION`.
    pub layers: Vec<(LitInt, Ident)>,
    /// The closing `>`, where an error about the layers as a whole points.
    pub close: Token![>],
    /// Each `const NAME = "path";`: trained weights to embed, from a safetensors file whose
    /// path is relative to the declaring crate's `Cargo.toml`.
    pub consts: Vec<(Ident, LitStr)>,
}

impl Parse for NetworkDef {
    fn parse(input: ParseStream) -> Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name = input.parse().map_err(|e| {
            let msg = "expected the network's name, as in `struct Xor < 2 => 1 sigmoid >`";
            Error::new(e.span(), msg)
        })?;
        let colon = input.parse::<Option<Token![:]>>()?;
        let dtype = colon.map(|_| input.parse()).transpose()?;
        input.parse::<Token![<]>()?;
        let first = size(input, "the input size")?;
        let mut layers = Vec::new();
        while !input.peek(Token![>]) {
            let lookahead = input.lookahead1();
            if !lookahead.peek(Token![=>]) {
                lookahead.peek(Token![>]);
                return Err(lookahead.error());
            }
            input.parse::<Token![=>]>()?;
            layers.push((size(input, "a layer size")?, input.parse()?));
        }
        let close = input.parse()?;
        let mut consts = Vec::new();
        while input.parse::<Option<Token![const]>>()?.is_some() {
            let name = input.parse()?;
            input.parse::<Token![=]>()?;
            consts.push((name, input.parse()?));
            input.parse::<Token![;]>()?;
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
        return input.parse();
    }
    Err(input.error(format!("expected {what}, an integer literal such as `4`")))
}
