//! Saving and loading: exact round trips, PyTorch's layout, every check of the loader, hostile
//! bytes, and weights embedded at compile time.
use nn::prelude::*;
use nn::{Error, LoadError};
use rand::{rngs::SmallRng, RngExt, SeedableRng};

network! { struct Xor < 2 => 4 relu => 1 sigmoid > }
network! { struct Wide: f64 < 3 => 5 gelu => 4 tanh => 2 softmax > }
network! {
    /// The fixture written by `tests/fixtures/make_fixtures.py`, embedded while compiling.
    struct Torch < 3 => 4 tanh => 2 sigmoid >
    const FIXTURE = "tests/fixtures/torch_layout.safetensors";
}
network! { struct OtherActivations < 3 => 4 relu => 2 sigmoid > }
network! {
    /// On the heap (38 440 bytes of parameters), so its embedded weights are an `nn::Embedded`.
    struct Large < 64 => 128 relu => 10 softmax >
    const FIXTURE = "tests/fixtures/heap_layout.safetensors";
}
network! {
    struct Torch64: f64 < 3 => 4 tanh => 2 sigmoid >
    const FIXTURE = "tests/fixtures/wrong_dtype.safetensors";
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The fixture's inputs and the outputs numpy computed for them.
fn fixture_outputs() -> Vec<(SVector<f32, 3>, [f64; 2])> {
    let csv = std::fs::read_to_string(fixture("torch_layout_expected.csv")).expect("fixture");
    let rows = csv
        .lines()
        .map(|l| l.split(',').map(|v| v.parse::<f64>().expect("a number")));
    let rows = rows.map(|r| r.collect::<Vec<_>>());
    rows.map(|r| {
        (
            SVector::from([r[0] as f32, r[1] as f32, r[2] as f32]),
            [r[3], r[4]],
        )
    })
    .collect()
}

#[test]
fn round_trip_is_exact() {
    let net = Wide::new(3);
    let back: Wide = nn::from_bytes(&nn::to_bytes(&net).expect("serialise")).expect("load");
    assert_eq!(back, net);
    let dir = std::env::temp_dir().join(format!("nn-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("xor.safetensors");
    let xor = Xor::new(9);
    nn::save(&xor, &path).expect("save");
    assert_eq!(nn::load::<Xor>(&path).expect("load"), xor);
    let names: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        names,
        ["xor.safetensors"],
        "no temporary file is left behind"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn the_file_is_in_pytorch_layout() {
    let mut net = Xor::default();
    net.l1.weight = SMatrix::<f32, 4, 2>::from_fn(|r, c| (10 * r + c) as f32);
    let bytes = nn::to_bytes(&net).expect("serialise");
    let file = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let w = file.tensor("layers.0.weight").expect("weight");
    assert_eq!(w.shape(), [4, 2]);
    let values: Vec<f32> = w
        .data()
        .chunks(4)
        .map(|b| f32::from_le_bytes(b.try_into().expect("4")))
        .collect();
    assert_eq!(
        values,
        [0.0, 1.0, 10.0, 11.0, 20.0, 21.0, 30.0, 31.0],
        "row-major [out, in]"
    );
    assert_eq!(file.tensor("layers.1.bias").expect("bias").shape(), [1]);
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).expect("metadata");
    let meta = meta.metadata().clone().expect("metadata");
    assert_eq!(meta["architecture"], "2 => 4 relu => 1 sigmoid");
    assert_eq!(meta.len(), 1, "{meta:?}");
}

#[test]
fn a_file_written_outside_rust_loads_and_computes_the_same() {
    let loaded: Torch = nn::load(fixture("torch_layout.safetensors")).expect("load");
    assert_eq!(
        loaded,
        Torch::FIXTURE,
        "the embedded const and the loaded file are identical"
    );
    for (x, y) in fixture_outputs() {
        let out = loaded.forward(&x);
        for k in 0..2 {
            assert!((f64::from(out[k]) - y[k]).abs() < 1e-6, "{out} vs {y:?}");
        }
    }
}

#[test]
fn an_embedded_model_is_usable_in_a_static() {
    static MODEL: Torch = Torch::FIXTURE;
    let (x, y) = fixture_outputs()[0];
    assert!((f64::from(MODEL.forward(&x)[0]) - y[0]).abs() < 1e-6);
}

fn load_error<N: Model>(file: &str) -> LoadError {
    match nn::load::<N>(fixture(file)) {
        Err(Error::Load(e)) => e,
        other => panic!("expected a load error, got {other:?}"),
    }
}

#[test]
fn every_mismatch_is_its_own_error() {
    let arch = load_error::<OtherActivations>("torch_layout.safetensors");
    let (expected, found) = ("3 => 4 relu => 2 sigmoid", "3 => 4 tanh => 2 sigmoid");
    assert_eq!(arch, LoadError::Architecture(expected.into(), found.into()));
    let shape = load_error::<Torch>("wrong_shape.safetensors");
    let tensor = "layers.0.weight".to_string();
    assert_eq!(
        shape,
        LoadError::Shape(tensor.clone(), vec![4, 3], vec![4, 2])
    );
    let dtype = load_error::<Torch>("wrong_dtype.safetensors");
    assert_eq!(dtype, LoadError::Dtype(tensor, "F32".into(), "F64".into()));
    // The float64 file is right for the same network declared in f64.
    let net64: Torch64 = nn::load(fixture("wrong_dtype.safetensors")).expect("an f64 file");
    assert_eq!(net64, Torch64::FIXTURE);
    let (x, y) = fixture_outputs()[1];
    assert!((net64.forward(&x.cast())[1] - y[1]).abs() < 1e-6);
    match nn::load::<Xor>(fixture("missing.safetensors")) {
        Err(Error::Io(path, _)) => assert!(path.ends_with("missing.safetensors")),
        other => panic!("{other:?}"),
    }
}

/// Bytes holding `tensors` (name, shape, values) without metadata.
fn file(tensors: &[(&str, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
    let data: Vec<Vec<u8>> = tensors
        .iter()
        .map(|t| t.2.iter().flat_map(|v| v.to_le_bytes()).collect())
        .collect();
    let views = tensors.iter().zip(&data).map(|(t, d)| {
        (
            t.0,
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, t.1.clone(), d)
                .expect("view"),
        )
    });
    safetensors::serialize(views, None).expect("serialise")
}

#[test]
fn missing_extra_and_non_finite_tensors_are_named() {
    let full = || {
        vec![
            ("layers.0.weight", vec![4, 2], vec![0.5; 8]),
            ("layers.0.bias", vec![4], vec![0.0; 4]),
            ("layers.1.weight", vec![1, 4], vec![0.5; 4]),
            ("layers.1.bias", vec![1], vec![0.0]),
        ]
    };
    let net: Xor = nn::from_bytes(&file(&full())).expect("a file without metadata loads");
    assert_eq!(net.l1.weight, SMatrix::<f32, 4, 2>::repeat(0.5));
    let mut missing = full();
    missing.remove(3);
    assert_eq!(
        nn::from_bytes::<Xor>(&file(&missing)),
        Err(Error::Load(LoadError::MissingTensor(
            "layers.1.bias".into()
        )))
    );
    let mut extra = full();
    extra.push(("layers.2.bias", vec![1], vec![0.0]));
    assert_eq!(
        nn::from_bytes::<Xor>(&file(&extra)),
        Err(Error::Load(LoadError::UnexpectedTensor(
            "layers.2.bias".into()
        )))
    );
    let mut nan = full();
    nan[2].2[1] = f32::NAN;
    assert_eq!(
        nn::from_bytes::<Xor>(&file(&nan)),
        Err(Error::Load(LoadError::NonFinite("layers.1.weight".into())))
    );
}

#[test]
fn hostile_bytes_give_errors_not_panics() {
    let good = nn::to_bytes(&Xor::new(1)).expect("serialise");
    // A header that claims more bytes than follow: not safetensors at all (the first 8 bytes
    // of a text file, say), and said so, with the numbers.
    let mut huge = good.clone();
    huge[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let Err(Error::Load(LoadError::Format(why))) = nn::from_bytes::<Xor>(&huge) else {
        panic!("a header longer than the file is not safetensors");
    };
    assert!(why.contains("1099511627776 bytes"), "{why}");
    let error = nn::from_bytes::<Xor>(b"# not a model\n")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("not a safetensors file: "), "{error}");
    // A header that fits in the file but is longer than any of this network's can be.
    let mut long = 100_000u64.to_le_bytes().to_vec();
    long.resize(8 + 100_000, b' ');
    assert!(matches!(
        nn::from_bytes::<Xor>(&long),
        Err(Error::Load(LoadError::TooLong("header", _, 100_000)))
    ));
    for len in 0..good.len() {
        assert!(
            nn::from_bytes::<Xor>(&good[..len]).is_err(),
            "truncated to {len}"
        );
    }
    // Mutated and random bytes: any result but a panic, and what loads is finite.
    let mut rng = SmallRng::seed_from_u64(7);
    for _ in 0..5000 {
        let mut bytes = good.clone();
        for _ in 0..rng.random_range(1..8) {
            let i = rng.random_range(0..bytes.len());
            bytes[i] = rng.random();
        }
        if let Ok(net) = nn::from_bytes::<Xor>(&bytes) {
            assert!(net.is_finite());
        }
        let random: Vec<u8> = (0..rng.random_range(0..300))
            .map(|_| rng.random())
            .collect();
        assert!(nn::from_bytes::<Xor>(&random).is_err());
    }
}

/// The loader knows how long a file of its network can be, and refuses a longer header or file
/// before parsing or reading it: a header of 100 MB that lists a shape of 5·10⁷ ones made
/// safetensors ask for a 2 GiB block before. Mutation caught: dropping either bound.
#[test]
fn a_header_or_a_file_longer_than_the_network_allows_is_refused_unread() {
    let good = nn::to_bytes(&Xor::new(1)).expect("serialise");
    let header = u64::from_le_bytes(good[..8].try_into().expect("8 bytes")) as usize;
    // A shape of many ones: a valid header, just far longer than an `Xor` file's.
    let ones = vec!["1"; 100_000].join(",");
    let text = format!(
        r#"{{"layers.0.weight":{{"dtype":"F32","shape":[4,2,{ones}],"data_offsets":[0,32]}}}}"#
    );
    let mut long = (text.len() as u64).to_le_bytes().to_vec();
    long.extend(text.as_bytes());
    long.extend([0; 32]);
    let Err(Error::Load(LoadError::TooLong("header", most, found))) = nn::from_bytes::<Xor>(&long)
    else {
        panic!("a long header is refused")
    };
    assert_eq!(found, text.len());
    assert!(header < most && most < 8192, "{header} < {most}");
    // A file with bytes after its values: refused by its length, before it is read.
    let path = std::env::temp_dir().join(format!("nn-long-{}.safetensors", std::process::id()));
    let mut padded = good.clone();
    padded.resize(good.len() + 20_000, b' ');
    std::fs::write(&path, &padded).expect("write");
    let loaded = nn::load::<Xor>(&path);
    std::fs::remove_file(&path).expect("remove");
    let Err(Error::Load(LoadError::TooLong("file", most, found))) = loaded else {
        panic!("a long file is refused: {loaded:?}")
    };
    assert_eq!(found, padded.len());
    assert!(good.len() < most && most < padded.len());
    let message = Error::Load(LoadError::TooLong("file", most, found)).to_string();
    assert_eq!(
        message,
        format!("the file takes {found} bytes, this network's at most {most}")
    );
}

/// A network on the heap embeds as `nn::Embedded`, which builds exactly the network that
/// loading the file gives, and that computes what numpy computes.
#[test]
fn a_heap_network_embeds_and_matches_numpy() {
    let embedded: Large = Large::FIXTURE.network();
    let loaded: Large = nn::load(fixture("heap_layout.safetensors")).expect("the fixture");
    assert!(embedded == loaded);
    let csv = std::fs::read_to_string(fixture("heap_layout_expected.csv")).expect("fixture");
    for line in csv.lines() {
        let row: Vec<f64> = line
            .split(',')
            .map(|v| v.parse().expect("a number"))
            .collect();
        let x = SVector::<f32, 64>::from_fn(|i, _| row[i] as f32);
        let y = embedded.forward(&x);
        for (got, want) in y.iter().zip(&row[64..]) {
            assert!((f64::from(*got) - want).abs() < 1e-6, "{got} vs {want}");
        }
    }
}

/// Saving replaces the file by a rename: a hard link to the old file keeps the old model
/// (writing in place would change both), and two threads saving to one path while a third
/// reads it never show a reader a partial file.
#[test]
fn saves_are_atomic_even_when_concurrent() {
    let dir = std::env::temp_dir().join(format!("nn-atomic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("net.safetensors");
    let (old, new) = (Xor::new(1), Xor::new(2));
    nn::save(&old, &path).expect("saved");
    let link = dir.join("link.safetensors");
    std::fs::hard_link(&path, &link).expect("a hard link");
    nn::save(&new, &path).expect("saved");
    assert_eq!(nn::load::<Xor>(&link).expect("the link"), old);
    assert_eq!(nn::load::<Xor>(&path).expect("the path"), new);
    std::thread::scope(|s| {
        for net in [&old, &new] {
            s.spawn(|| (0..100).for_each(|_| nn::save(net, &path).expect("saved")));
        }
        s.spawn(|| {
            for _ in 0..300 {
                let read: Xor = nn::load(&path).expect("a whole model");
                assert!(read == old || read == new);
            }
        });
    });
    let left: Vec<_> = std::fs::read_dir(&dir).expect("dir").collect();
    assert_eq!(left.len(), 2, "no temporary file left behind");
    std::fs::remove_dir_all(&dir).expect("removed");
}

/// The same network always saves to the same bytes (the metadata's keys in a fixed order), so a
/// saved model under version control shows as changed only when its weights change.
/// Mutation caught: a second metadata key, which safetensors writes in hash order.
#[test]
fn the_same_network_saves_to_the_same_bytes() {
    let net = Wide::new(5);
    let first = nn::to_bytes(&net).expect("serialise");
    for _ in 0..20 {
        assert_eq!(nn::to_bytes(&net).expect("serialise"), first);
    }
}

/// `state_dict` lists the tensors as PyTorch does (row-major `[out, in]`), `load_state_dict`
/// takes them back, checked like a file. Mutations caught: rows and columns swapped; a check
/// dropped.
#[test]
fn state_dicts_round_trip_in_pytorch_layout_and_are_checked() {
    let net = Wide::new(4);
    let tensors = nn::state_dict(&net);
    let names: Vec<_> = tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "layers.0.weight",
            "layers.0.bias",
            "layers.1.weight",
            "layers.1.bias",
            "layers.2.weight",
            "layers.2.bias"
        ]
    );
    assert_eq!(tensors[2].shape, [4, 5]);
    assert_eq!(
        tensors[2].values[5 + 2],
        net.l2.weight[(1, 2)],
        "row 1, column 2"
    );
    assert_eq!(nn::load_state_dict::<Wide>(&tensors), Ok(net.clone()));
    let load = |tensors: &[nn::Tensor<f64>]| match nn::load_state_dict::<Wide>(tensors) {
        Err(Error::Load(e)) => e,
        other => panic!("expected an error: {other:?}"),
    };
    assert_eq!(
        load(&tensors[1..]),
        LoadError::MissingTensor("layers.0.weight".into())
    );
    let mut extra = tensors.clone();
    extra[0].name = "layers.9.weight".into();
    assert_eq!(
        load(&extra),
        LoadError::UnexpectedTensor("layers.9.weight".into())
    );
    let mut shape = tensors.clone();
    shape[2].shape = vec![5, 4];
    assert_eq!(
        load(&shape),
        LoadError::Shape("layers.1.weight".into(), vec![4, 5], vec![5, 4])
    );
    let mut short = tensors.clone();
    short[3].values.pop();
    assert_eq!(
        load(&short),
        LoadError::Shape("layers.1.bias".into(), vec![4], vec![3])
    );
    let mut nan = tensors;
    nan[4].values[0] = f64::NAN;
    assert_eq!(load(&nan), LoadError::NonFinite("layers.2.weight".into()));
}

/// The header of `N`'s file padded with spaces to the longest the loader allows; loading it
/// from disk works (the loader reads at most that many bytes and one more).
fn longest_file_loads<N: Model>(net: &N) {
    let good = nn::to_bytes(net).expect("serialise");
    let header = u64::from_le_bytes(good[..8].try_into().expect("8 bytes")) as usize;
    // The same file with its header padded with spaces (which JSON allows) to `n` bytes.
    let padded = |n: usize| {
        let mut bytes = (n as u64).to_le_bytes().to_vec();
        bytes.extend(&good[8..8 + header]);
        bytes.resize(8 + n, b' ');
        bytes.extend(&good[8 + header..]);
        bytes
    };
    let longest = (header..100_000)
        .take_while(|&n| nn::from_bytes::<N>(&padded(n)).is_ok())
        .last()
        .expect("the file itself loads");
    assert!(
        longest > header && longest < 100_000 - 1,
        "a bound exists: {longest}"
    );
    let path = std::env::temp_dir().join(format!("nn-longest-{}.safetensors", std::process::id()));
    std::fs::write(&path, padded(longest)).expect("write");
    let loaded = nn::load::<N>(&path);
    std::fs::remove_file(&path).expect("remove");
    assert_eq!(loaded.as_ref(), Ok(net));
}

/// A file exactly as long as the loader allows still loads from disk, in f32 and in f64, and a
/// model saves to a bare file name in the working directory. Mutations caught: reading one
/// byte short of the bound; the file bound counting 4 bytes per f64 value; the temporary file
/// put in `""` rather than `.` for a bare file name.
#[test]
fn the_longest_allowed_file_loads_and_bare_names_save() {
    let net = Xor::new(6);
    longest_file_loads(&net);
    longest_file_loads(&Wide::new(6));
    let bare = format!("nn-bare-{}.safetensors", std::process::id());
    let saved = nn::save(&net, &bare);
    let loaded = nn::load::<Xor>(&bare);
    let _ = std::fs::remove_file(&bare);
    assert_eq!(saved, Ok(()));
    assert_eq!(loaded, Ok(net));
}

/// A layout's longest file counts each tensor's values at its dtype's width, as safetensors
/// names the dtypes; a dtype no file can hold (a `Float` of the user's, say `F16`) bounds
/// nothing, and no file of it loads. Mutation caught: the width read from the name's digits
/// (`F16` would bound a file at 2 bytes a value).
#[test]
fn a_layouts_longest_file_counts_each_dtype_at_its_width() {
    let layout = |dtype| nn::Layout {
        architecture: "3 => 2 linear".into(),
        dtype,
        shapes: vec![(2, 3)],
    };
    let f32 = layout("F32");
    let f64 = layout("F64");
    // 8 values (a 2×3 weight and 2 biases): 32 bytes in f32, 64 in f64.
    assert_eq!(f64.max_len() - f32.max_len(), 32);
    assert_eq!(f32.max_len(), 8 + f32.max_header() + 32);
    let f16 = layout("F16");
    assert_eq!(f16.max_len(), usize::MAX);
    let file = std::fs::read("tests/fixtures/torch_layout.safetensors").expect("a fixture");
    assert!(f16.read(&file).is_err());
}

/// A saved model gets the mode `File::create` gives (0666 less the umask), not the 0600 of a
/// temporary file: others can read it if they can read the user's other files.
#[cfg(unix)]
#[test]
fn a_saved_file_has_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::File::create(&plain).unwrap();
    let model = dir.path().join("model.safetensors");
    nn::save(&Xor::new(0), &model).unwrap();
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode();
    assert_eq!(mode(&model) & 0o777, mode(&plain) & 0o777);
    assert_ne!(
        mode(&model) & 0o777,
        0o600,
        "the umask here would hide the difference"
    );
}
