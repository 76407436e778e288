//! Quantized networks: the scheme against an independent numpy reference
//! (`tests/fixtures/make_quant_fixture.py`), files, embedding and errors.
use nn::prelude::*;
use nn::{Error, LoadError, Quantized};

network! {
    /// The fixture's network, its float weights embedded, and its quantized form as numpy
    /// computed it.
    pub struct Fixture < 6 => 16 relu => 8 linear => 4 softmax >
    const FLOAT = "tests/fixtures/quant_float.safetensors";
    const INT8: int8 = "tests/fixtures/quant_int8.safetensors";
}

/// The numbers of a fixture CSV, line by line.
fn csv(name: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(format!("tests/fixtures/{name}")).unwrap();
    let line = |l: &str| l.split(',').map(|v| v.parse().unwrap()).collect();
    text.lines().map(line).collect()
}

/// The fixture's calibration inputs.
fn calibration() -> Vec<SVector<f32, 6>> {
    let sample = |x: Vec<f64>| SVector::from_iterator(x.into_iter().map(|v| v as f32));
    csv("quant_calibration.csv")
        .into_iter()
        .map(sample)
        .collect()
}

#[test]
fn quantizing_gives_numpys_tensors_exactly() {
    let ours = nn::quantize(&Fixture::FLOAT, &calibration()).unwrap();
    let numpys: Quantized<Fixture> = nn::load("tests/fixtures/quant_int8.safetensors").unwrap();
    assert_eq!(ours, numpys);
    assert_eq!(ours, Fixture::INT8);
    // A relu layer's zero point is -128: clamping there is relu.
    assert_eq!(ours.layers.0.output_zero, -128);
}

#[test]
fn integer_outputs_equal_numpys_bit_for_bit() {
    let net = Fixture::INT8;
    for line in csv("quant_expected.csv") {
        let x = SVector::<f32, 6>::from_iterator(line[..6].iter().map(|&v| v as f32));
        let q = net.forward_int8(&net.quantize_input(&x.into()));
        let expected: Vec<i8> = line[6..10].iter().map(|&v| v as i8).collect();
        assert_eq!(q[..], expected[..], "input {x}");
        let y = net.forward(&x);
        for (a, b) in y.iter().zip(&line[10..]) {
            assert!((f64::from(*a) - b).abs() < 1e-6, "{a} against numpy's {b}");
        }
    }
}

#[test]
fn quantized_stays_close_to_float() {
    let xs = calibration();
    let net = Fixture::FLOAT;
    let q = nn::quantize(&net, &xs).unwrap();
    let worst = xs.iter().map(|x| (net.forward(x) - q.forward(x)).amax());
    let worst = worst.fold(0.0, f32::max);
    // A few output steps of the logits (this fixture's clipped rows cost the most).
    assert!(worst < 0.08, "largest difference {worst}");
}

#[test]
fn saved_quantized_files_round_trip_and_are_deterministic() {
    let q = nn::quantize(&Fixture::FLOAT, &calibration()).unwrap();
    let bytes = nn::to_bytes(&q).unwrap();
    assert_eq!(bytes, nn::to_bytes(&q).unwrap());
    assert_eq!(nn::from_bytes::<Quantized<Fixture>>(&bytes), Ok(q.clone()));
    let path = std::env::temp_dir().join(format!("nn-int8-{}.safetensors", std::process::id()));
    nn::save(&q, &path).unwrap();
    assert_eq!(nn::load::<Quantized<Fixture>>(&path), Ok(q));
    std::fs::remove_file(&path).unwrap();
    // A quantized file is not a float network, nor the other way round.
    let float = nn::from_bytes::<Fixture>(&bytes);
    assert!(
        matches!(float, Err(Error::Load(LoadError::Architecture(..)))),
        "{float:?}"
    );
    let float = nn::to_bytes(&Fixture::FLOAT).unwrap();
    let int8 = nn::from_bytes::<Quantized<Fixture>>(&float);
    assert!(
        matches!(int8, Err(Error::Load(LoadError::Architecture(..)))),
        "{int8:?}"
    );
}

/// The fixture's int8 file with tensor `name`'s bytes changed by `edit`.
fn edited(name: &str, edit: impl Fn(&mut [u8])) -> Result<Quantized<Fixture>, Error> {
    let mut bytes = std::fs::read("tests/fixtures/quant_int8.safetensors").unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let t = file.tensor(name).unwrap();
    let start = t.data().as_ptr() as usize - bytes.as_ptr() as usize;
    let len = t.data().len();
    edit(&mut bytes[start..start + len]);
    nn::from_bytes(&bytes)
}

#[test]
fn inconsistent_quantized_files_are_refused_by_name() {
    let value = |r: Result<_, Error>| match r {
        Err(Error::Load(LoadError::Value(name, why))) => format!("{name}: {why}"),
        other => panic!("expected a value error, got {other:?}"),
    };
    let negative = |b: &mut [u8]| b[..4].copy_from_slice(&(-1.0f32).to_le_bytes());
    let scale = value(edited("layers.1.output_scale", negative));
    assert!(
        scale.starts_with("layers.1.output_scale: a scale must be positive"),
        "{scale}"
    );
    let one = |b: &mut [u8]| b[4..8].copy_from_slice(&1i32.to_le_bytes());
    let m = value(edited("layers.0.multiplier", one));
    let expected = "layers.0.multiplier: output 1's multiplier and shift (1, ";
    assert!(m.starts_with(expected), "{m}");
    for k in [0u8, 63, 200] {
        let k = value(edited("layers.2.shift", |b| b[2] = k));
        assert!(k.starts_with("layers.2.multiplier: output 2's"), "{k}");
    }
    let tiny = |b: &mut [u8]| b[..4].copy_from_slice(&1e-30f32.to_le_bytes());
    // A multiplier that does not fit the scales is the file's business: only its form is
    // checked (the scales change the float ends, not the integer layers).
    assert!(edited("layers.0.output_scale", tiny).is_ok());
    let huge = |b: &mut [u8]| b[4..8].copy_from_slice(&i32::MAX.to_le_bytes());
    let bias = value(edited("layers.1.bias", huge));
    assert!(
        bias.starts_with("layers.1.bias: output 1's sum could overflow"),
        "{bias}"
    );
    let nan = |b: &mut [u8]| b[..4].copy_from_slice(&f32::NAN.to_le_bytes());
    let nan = edited("input.scale", nan);
    assert_eq!(
        nan,
        Err(Error::Load(LoadError::NonFinite("input.scale".into())))
    );
}

#[test]
fn calibration_errors() {
    let mut net = Fixture::FLOAT;
    assert_eq!(nn::quantize(&net, &[]), Err(Error::EmptyData));
    let mut xs = calibration();
    xs[3][2] = f32::INFINITY;
    assert_eq!(nn::quantize(&net, &xs), Err(Error::Calibration(3)));
    // Weights so large against the outputs' range (all 0 after relu, so scale 1) that no
    // fixed-point factor holds them.
    net.l1.weight.fill(0.0);
    net.l1.weight[(0, 0)] = 1e30;
    net.l1.bias.fill(-1e31);
    let xs = calibration();
    let Err(Error::Load(LoadError::Value(name, why))) = nn::quantize(&net, &xs) else {
        panic!("expected a value error");
    };
    assert_eq!(name, "layers.0.multiplier");
    assert!(why.contains("2^30 or more"), "{why}");
}

network! {
    /// All-zero weights and inputs: every range is 0, every scale falls back to 1.
    struct Zero < 2 => 3 relu => 1 sigmoid >
}

#[test]
fn all_zero_ranges_quantize() {
    let xs = [SVector::zeros(); 3];
    let q = nn::quantize(&Zero::default(), &xs).unwrap();
    assert_eq!(q.forward(&xs[0])[0], 0.5);
}

network! {
    /// The digits model the examples ship, and its quantized form from `examples/quantize.rs`.
    pub struct Digits < 64 => 32 relu => 10 softmax >
    const TRAINED = "examples/models/digits.safetensors";
    const INT8: int8 = "examples/models/digits-int8.safetensors";
}

#[test]
fn quantized_digits_keep_their_accuracy() {
    let table = nn::data::Table::read_csv("examples/data/digits.csv", "digit").unwrap();
    let (train, test) = table.split(0.2, 0).unwrap();
    let (images, _): (Vec<SVector<f32, 64>>, Vec<SVector<f32, 10>>) = train.data().unwrap();
    let int8 = nn::quantize(&Digits::TRAINED, &images).unwrap();
    assert_eq!(int8, Digits::INT8);
    let (x, y): (Vec<SVector<f32, 64>>, Vec<SVector<f32, 10>>) = test.data().unwrap();
    let right = |f: &dyn Fn(&SVector<f32, 64>) -> SVector<f32, 10>| {
        x.iter()
            .zip(&y)
            .filter(|(x, y)| f(x).imax() == y.imax())
            .count()
    };
    let float = right(&|x| Digits::TRAINED.forward(x));
    let quantized = right(&|x| int8.forward(x));
    // Within 1% of the 360 test images (examples/quantize.rs reports 0.28 points here).
    assert!(
        quantized + 4 >= float,
        "int8 {quantized} right, float {float}"
    );
}

/// Mutation caught: `Rows::eq` always true.
#[test]
fn weight_rows_compare_by_value_whatever_their_storage() {
    let (one, two): (&'static [[i8; 2]], &'static [[i8; 2]]) = (&[[1, 2]], &[[1, 3]]);
    assert_eq!(
        nn::quant::Rows::Static(one),
        nn::quant::Rows::Heap(one.into())
    );
    assert_ne!(nn::quant::Rows::Static(one), nn::quant::Rows::Static(two));
    assert_ne!(
        nn::quant::Rows::Heap(one.into()),
        nn::quant::Rows::Heap(two.into())
    );
}

/// Mutations caught: in `multiplier`, the branch for a mantissa that rounds up to `2^31`
/// (`<<` as `>>` in its condition, `>>=` as `<<=`, `+=` as `-=` or `*=`).
#[test]
fn a_multiplier_that_rounds_up_to_a_power_of_two() {
    // (1 + 2^-23)·(1 - 2^-23) = 1 - 2^-46: its mantissa rounds to 2^31, so M is 2^30·2^-30.
    let (a, b) = (1.0 + f32::EPSILON, 1.0 - f32::EPSILON);
    assert_eq!(nn::quant::multiplier(a, b, 1.0), Some((1 << 30, 30)));
    assert_eq!(nn::quant::multiplier(1.0, 1.0, 1.0), Some((1 << 30, 30)));
    assert_eq!(
        nn::quant::multiplier(1.0, 1.0, 2.0f32.powi(40)),
        Some((0, 62))
    );
}

network! {
    /// A relu output layer.
    struct ReluOut < 2 => 3 relu => 2 relu >
}

/// Mutations caught: relu applied to the output layer's calibration (`<` as `<=`, `+` as `*`
/// in `layer + 1 < N::LAYERS.len()`): its range is that of the logits, negative ones included.
#[test]
fn the_output_layer_is_calibrated_before_its_activation() {
    let mut net = ReluOut::default();
    net.l1.weight.fill(1.0);
    net.l2.weight[(0, 0)] = -1.0;
    net.l2.weight[(1, 0)] = 1.0;
    let xs = [SVector::from([1.0, 2.0]), SVector::from([0.5, 0.0])];
    let q = nn::quantize(&net, &xs).unwrap();
    assert!(q.layers.1 .0.output_zero > -128, "{q:?}");
    for x in &xs {
        assert!((q.forward(x) - net.forward(x)).amax() < 0.05);
    }
}

network! {
    /// One linear layer.
    struct Line < 3 => 1 linear >
}

/// Mutation caught: `error < best.0` as `<=` in `weight_scale`: on a tie (inputs that are
/// always 0 weigh nothing) the largest clip, `max|w|/127`, is kept.
#[test]
fn a_tie_keeps_the_largest_clip() {
    let mut net = Line::default();
    net.l1.weight.copy_from_slice(&[0.5, -1.0, 0.25]);
    let q = nn::quantize(&net, &[SVector::zeros(); 2]).unwrap();
    assert_eq!(q.layers.0.weight[0], [64, -127, 32]);
}

network! {
    /// Wide enough that a row of int8 weights can overflow an int32 sum.
    struct Wide < 66312 => 2 linear >
}

/// A quantized `Wide` whose second row sums to `66311·127 + 7 = 8421504` (`·255` is
/// `i32::MAX - 127`) and whose second bias is `bias`.
fn wide(bias: i32) -> Result<nn::Quantized<Wide>, Error> {
    let mut rows = vec![[0i8; 66312]; 2].into_boxed_slice();
    rows[1].fill(127);
    rows[1][0] = 7;
    let layer = nn::quant::QDense {
        weight: nn::quant::Rows::Heap(rows),
        bias: [0, bias],
        multiplier: [1 << 30; 2],
        shift: [31; 2],
        output_scale: 1.0,
        output_zero: 0,
    };
    let net: nn::Quantized<Wide> = nn::Int8 {
        input_scale: 1.0,
        input_zero: 0,
        output_scale: 1.0,
        output_zero: 0,
        layers: (layer, ()),
        network: std::marker::PhantomData,
    };
    nn::from_bytes(&nn::to_bytes(&net)?)
}

/// Mutations caught: in `check`, `r * n` as `r / n` (the row read), `sum * 255` as `+` or `/`,
/// `>` as `>=` (the bound is `i32::MAX` itself), `t + 1` as `t - 1` or `t * 1` (the tensor
/// named).
#[test]
fn the_int32_bound_is_exact_and_per_row() {
    assert!(wide(127).is_ok());
    let Err(Error::Load(LoadError::Value(name, why))) = wide(128) else {
        panic!("a sum over i32::MAX loads");
    };
    assert_eq!(name, "layers.0.bias");
    assert!(why.starts_with("output 1's sum could overflow"), "{why}");
}

/// The integer API's quantization is the scheme's `clamp(round(x/s) + z, -128, 127)` with
/// `roundf`'s ties away from zero, for every kind of value; NaN is the zero point (a real 0).
/// Mutations caught: the clamps, the halves' `>=` and `<=`, the zero point's sign.
#[test]
fn inputs_quantize_in_a_const_fn_as_the_scheme_says() {
    let net = Fixture::INT8;
    let s = net.input_scale;
    let z = f32::from(net.input_zero);
    let scheme = |x: f32| (libm::roundf(x / s) + z).clamp(-128.0, 127.0) as i8;
    let mut values = vec![
        0.0,
        -0.0,
        f32::MAX,
        f32::MIN,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ];
    values.extend((-300..300).map(|k| (k as f32 + 0.5) * s));
    values.extend((-300..300).map(|k| k as f32 * s * 0.37));
    values.extend((0..200).map(|k| 1e-3 * (k as f32 - 100.0)));
    for chunk in values.chunks_exact(6) {
        let x: [f32; 6] = chunk.try_into().unwrap();
        assert_eq!(net.quantize_input(&x), x.map(scheme), "{x:?}");
    }
    assert_eq!(net.quantize_input(&[f32::NAN; 6]), [net.input_zero; 6]);
    // The compiler quantizes a constant input (through a `static`: with `alloc`, a quantized
    // network has a destructor, which a `const` cannot run).
    static NET: Quantized<Fixture> = Fixture::INT8;
    const QUANTIZED: [i8; 6] = NET.quantize_input(&[0.5, -1.0, 2.0, 0.0, 3.5, -2.5]);
    assert_eq!(QUANTIZED, [0.5, -1.0, 2.0, 0.0, 3.5, -2.5].map(scheme));
}

/// The output's scale and zero point are the last layer's, in an embedded, a loaded and a
/// quantized network alike.
#[test]
fn the_output_quantization_is_the_last_layers() {
    static NET: Quantized<Fixture> = Fixture::INT8;
    const SCALE: f32 = NET.output_scale;
    let last = &Fixture::INT8.layers.1 .1 .0;
    assert_eq!(
        (SCALE, Fixture::INT8.output_zero),
        (last.output_scale, last.output_zero)
    );
    let loaded: Quantized<Fixture> = nn::load("tests/fixtures/quant_int8.safetensors").unwrap();
    assert_eq!(loaded.output_scale, last.output_scale);
    assert_eq!(loaded.output_zero, last.output_zero);
    let ours = nn::quantize(&Fixture::FLOAT, &calibration()).unwrap();
    assert_eq!(
        (ours.output_scale, ours.output_zero),
        (SCALE, last.output_zero)
    );
}

network! { struct Binary < 64 => 16 relu => 1 sigmoid > }

/// `class` of the int8 outputs is the float path's class, for every digits image (softmax)
/// and for a one-output sigmoid network near its threshold, with no float in between.
/// Mutations caught: `>` as `>=` in the argmax (a tie), `>=` as `>` against the zero point.
#[test]
fn the_class_in_integers_is_the_class_of_the_outputs() {
    let table = nn::data::Table::read_csv("examples/data/digits.csv", "digit").unwrap();
    let (x, _): (Vec<SVector<f32, 64>>, Vec<SVector<f32, 10>>) = table.data().unwrap();
    let int8 = Digits::INT8;
    let mut ties = 0;
    for x in &x {
        let q = int8.forward_int8(&int8.quantize_input(&(*x).into()));
        assert_eq!(int8.class(&q), nn::class(int8.forward(x).as_slice()));
        ties += usize::from(q.iter().filter(|&&v| v == *q.iter().max().unwrap()).count() > 1);
    }
    // A network whose output crosses 0.5 among the inputs: its class flips at the zero point.
    let mut binary = Binary::new(3);
    let centre = x.iter().map(|x| binary.forward(x)[0]).sum::<f32>() / x.len() as f32;
    binary.l2.bias[0] -= (centre / (1.0 - centre)).ln();
    let int8 = nn::quantize(&binary, &x).unwrap();
    let mut classes = [0; 2];
    for x in &x {
        let q = int8.forward_int8(&int8.quantize_input(&(*x).into()));
        let class = int8.class(&q);
        assert_eq!(class, nn::class(int8.forward(x).as_slice()), "output {q:?}");
        classes[class] += 1;
        ties += usize::from(q[0] == int8.output_zero);
    }
    assert!(classes[0] > 100 && classes[1] > 100, "{classes:?}");
    assert!(
        ties > 0,
        "no tie and no output at the zero point: the test misses `>=`"
    );
}
