//! The WGSL the GPU runs, written for each layer with its sizes, offsets and activation as
//! constants: the GPU side of the code `network!` specializes. Every kernel's binding 0 is a
//! uniform whose first number is `n`, the batch's columns in this submission.
use crate::Layer;

/// The activations and their derivatives, which every kernel may call.
const LIBRARY: &str = include_str!("library.wgsl");

/// The edge of a product's tile: a workgroup computes 16×16 outputs.
pub(crate) const TILE: usize = 16;
/// The invocations of a workgroup of an elementwise kernel.
pub(crate) const GROUP: usize = 256;

/// A layer as its kernels see it: its sizes, activation, and where its weights and bias
/// start in the buffer of all the parameters (in the order of `Model::params`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    pub(crate) layer: Layer,
    pub(crate) weight: usize,
    pub(crate) bias: usize,
}

impl Place {
    /// The places of `layers`, one after the other.
    pub(crate) fn all(layers: &[Layer]) -> Vec<Place> {
        let mut offset = 0;
        let mut places = Vec::new();
        for &layer in layers {
            let weight = offset;
            let bias = weight + layer.outputs * layer.inputs;
            offset = bias + layer.outputs;
            places.push(Place {
                layer,
                weight,
                bias,
            });
        }
        places
    }

    /// The constants of its kernels: `O`, `I`, `W`, `B`.
    fn constants(&self) -> String {
        let o = self.layer.outputs;
        let i = self.layer.inputs;
        let (w, b) = (self.weight, self.bias);
        format!("const O = {o}u;\nconst I = {i}u;\nconst W = {w}u;\nconst B = {b}u;\n")
    }

    /// Whether its activation is softmax, whose kernels work on whole columns.
    pub(crate) fn softmax(&self) -> bool {
        self.layer.activation == "softmax"
    }
}

/// The bindings of a kernel, from 1 (0 is the uniform): `(name, access)`, and `uses()`,
/// which `main` calls so that every binding is in the pipeline's layout, also one the
/// kernel does not read (`z` for a `linear` layer's derivative).
fn bindings(list: &[(&str, &str)]) -> String {
    let mut text = String::from("@group(0) @binding(0) var<uniform> dims: vec4u;\n");
    let mut uses = String::from("fn uses() {\n    _ = dims;\n");
    for (k, (name, access)) in list.iter().enumerate() {
        let binding = k + 1;
        let kind = format!("var<storage, {access}> {name}: array<f32>");
        text += &format!("@group(0) @binding({binding}) {kind};\n");
        uses += &format!("    _ = &{name};\n");
    }
    text + &uses + "}\n"
}

/// A tiled product `C = A·B` (`m×k` by `k×n`): each workgroup loads 16×16 tiles of `A` and
/// `B` into workgroup memory and sums over them, then calls `store(m, n, sum)`. `prelude`
/// declares the bindings and the functions `a_at(m, k)`, `b_at(k, n)` and `store`; the
/// sizes are constants or `dims.x`, the batch.
fn product(prelude: &str, m: &str, k: &str, n: &str) -> String {
    format!(
        "{LIBRARY}{prelude}
var<workgroup> ta: array<array<f32, 16>, 16>;
var<workgroup> tb: array<array<f32, 16>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) g: vec3u, @builtin(local_invocation_id) l: vec3u) {{
    uses();
    let m = g.x * 16u + l.x;
    let n = g.y * 16u + l.y;
    var sum = 0.0;
    for (var t = 0u; t < {k}; t += 16u) {{
        ta[l.y][l.x] = 0.0;
        if m < {m} && t + l.y < {k} {{ ta[l.y][l.x] = a_at(m, t + l.y); }}
        tb[l.y][l.x] = 0.0;
        if t + l.x < {k} && n < {n} {{ tb[l.y][l.x] = b_at(t + l.x, n); }}
        workgroupBarrier();
        for (var j = 0u; j < 16u; j++) {{ sum += ta[j][l.x] * tb[l.y][j]; }}
        workgroupBarrier();
    }}
    if m < {m} && n < {n} {{ store(m, n, sum); }}
}}
"
    )
}

/// A kernel that runs `body` for every `i` below `count`, 256 invocations a workgroup, the
/// workgroups striding over the rest.
fn each(prelude: &str, count: &str, body: &str) -> String {
    format!(
        "{LIBRARY}{prelude}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {{
    uses();
    for (var i = id.x; i < {count}; i += groups.x * 256u) {{
        {body}
    }}
}}
"
    )
}

/// `Z = W·X + b` and `A = f(Z)` for the layer's input `x`: `Dense::forward`.
pub(crate) fn forward(place: &Place) -> String {
    let f = place.layer.activation;
    let prelude = place.constants()
        + &bindings(&[
            ("p", "read"),
            ("x", "read"),
            ("z", "read_write"),
            ("a", "read_write"),
        ])
        + &format!(
            "fn a_at(m: u32, k: u32) -> f32 {{ return p[W + m + O * k]; }}
fn b_at(k: u32, n: u32) -> f32 {{ return x[k + I * n]; }}
fn store(m: u32, n: u32, sum: f32) {{
    let v = sum + p[B + m];
    z[m + O * n] = v;
    a[m + O * n] = {f}_f(v);
}}
"
        );
    product(&prelude, "O", "I", "dims.x")
}

/// Softmax over each column of `a`, in place, its maximum subtracted first:
/// `Softmax::forward`.
pub(crate) fn softmax(place: &Place) -> String {
    let prelude = place.constants() + &bindings(&[("a", "read_write")]);
    let body = "let c = i * O;
        var top = a[c];
        for (var r = 1u; r < O; r++) { top = max(top, a[c + r]); }
        var sum = 0.0;
        for (var r = 0u; r < O; r++) { a[c + r] = exp(a[c + r] - top); sum += a[c + r]; }
        for (var r = 0u; r < O; r++) { a[c + r] /= sum; }";
    each(&prelude, "dims.x", body)
}

/// `∂L/∂a` in `d` turned into `δ = ∂L/∂z`, in place: `Dense::delta`.
pub(crate) fn activation_backward(place: &Place) -> String {
    let f = place.layer.activation;
    let prelude =
        place.constants() + &bindings(&[("z", "read"), ("a", "read"), ("d", "read_write")]);
    if place.softmax() {
        let body = "let c = i * O;
        var dot = 0.0;
        for (var r = 0u; r < O; r++) { dot += d[c + r] * a[c + r]; }
        for (var r = 0u; r < O; r++) { d[c + r] = a[c + r] * (d[c + r] - dot); }";
        return each(&prelude, "dims.x", body);
    }
    let body = format!("d[i] *= {f}_df(z[i], a[i]);");
    each(&prelude, "O * dims.x", &body)
}

/// `∂W += δ·xᵀ`: `Dense::accumulate`'s product, summed over the batch.
pub(crate) fn weight_gradient(place: &Place) -> String {
    let prelude = place.constants()
        + &bindings(&[("d", "read"), ("x", "read"), ("g", "read_write")])
        + "fn a_at(m: u32, k: u32) -> f32 { return d[m + O * k]; }
fn b_at(k: u32, n: u32) -> f32 { return x[n + I * k]; }
fn store(m: u32, n: u32, sum: f32) { g[W + m + O * n] += sum; }
";
    product(&prelude, "O", "dims.x", "I")
}

/// `∂b += Σ δ` over the batch's columns: `Dense::accumulate`'s row sums.
pub(crate) fn bias_gradient(place: &Place) -> String {
    let prelude = place.constants() + &bindings(&[("d", "read"), ("g", "read_write")]);
    let body = "var sum = 0.0;
        for (var k = 0u; k < dims.x; k++) { sum += d[i + O * k]; }
        g[B + i] += sum;";
    each(&prelude, "O", body)
}

/// `∂L/∂x = Wᵀ·δ`, into the layer below's `d`: `Dense::grad_input`.
pub(crate) fn input_gradient(place: &Place) -> String {
    let prelude = place.constants()
        + &bindings(&[("p", "read"), ("d", "read"), ("below", "read_write")])
        + "fn a_at(m: u32, k: u32) -> f32 { return p[W + k + O * m]; }
fn b_at(k: u32, n: u32) -> f32 { return d[k + O * n]; }
fn store(m: u32, n: u32, sum: f32) { below[m + I * n] = sum; }
";
    product(&prelude, "I", "O", "dims.x")
}

/// The output layer's `δ` (or, for a loss through the activation, `∂L/∂a`) from its output
/// `a` and the targets `y`: `delta` is a WGSL expression of `a[i]`, `y[i]` and `O`.
pub(crate) fn loss_delta(place: &Place, delta: &str) -> String {
    let prelude =
        place.constants() + &bindings(&[("a", "read"), ("y", "read"), ("d", "read_write")]);
    each(&prelude, "O * dims.x", &format!("d[i] = {delta};"))
}

/// An optimizer's step for every one of the `params` parameters, all or nothing: `p` holds
/// the weights, then the state (`s1`, `s2`), and the new ones go to `next`, to be copied to
/// `p` only if all are finite; a non-finite gradient sets bit 1 of `flag`, a non-finite new
/// weight bit 2. `update` is WGSL that reads `w`, `g` (the mean gradient), `s1`, `s2` and the
/// hyperparameters `h`, and sets `w`, `s1` and `s2`.
pub(crate) fn optimizer(update: &str, params: usize) -> String {
    let prelude = format!(
        "const P = {params}u;
@group(0) @binding(0) var<uniform> h: array<vec4f, 3>;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> next: array<f32>;
@group(0) @binding(4) var<storage, read_write> flag: array<atomic<u32>>;
fn uses() {{}}
"
    );
    let body = format!(
        "let g = grad[i] * h[0].x;
        if !finite(g) {{ atomicOr(&flag[0], 1u); }}
        var w = p[i];
        var s1 = p[P + i];
        var s2 = p[2u * P + i];
        {update}
        if !finite(w) {{ atomicOr(&flag[0], 2u); }}
        next[i] = w;
        next[P + i] = s1;
        next[2u * P + i] = s2;"
    );
    each(&prelude, "P", &body)
}
