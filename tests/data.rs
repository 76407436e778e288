//! The data module: reading CSV (with an `Err` naming the line and column for every bad
//! input), the stratified split, standardisation and its folding into a network.
use nn::data::{one_hot, DataError, Scaler, Table};
use nn::prelude::*;
use nn::Error;

network! { struct Flower < 4 => 8 relu => 3 softmax > }

const GOOD: &str = "a,b,class,c\n1,2,0,3\n4,5,1,6\n7,8,1,9\n10,11,0,12\n13,14,2,15\n16,17,2,18\n";

fn table(csv: &str, target: &str) -> Result<Table, Error> {
    Table::from_csv(csv.as_bytes(), target)
}

fn data_error(csv: &str, target: &str) -> DataError {
    match table(csv, target) {
        Err(Error::Data(e)) => e,
        other => panic!("expected a data error, got {other:?}"),
    }
}

#[test]
fn a_csv_file_becomes_features_and_classes() {
    let t = table(GOOD, "class").expect("good");
    assert_eq!(t.names, ["a", "b", "c"]);
    assert_eq!(t.rows[1], [4.0, 5.0, 6.0]);
    assert_eq!(t.labels, [0, 1, 1, 0, 2, 2]);
    assert_eq!(t.classes(), 3);
    // Spaces around fields are trimmed; the target may be any column.
    let spaced = table("x , y\n 1.5 , 1\n2.5,0\n", "y").expect("good");
    assert_eq!(
        (spaced.rows, spaced.labels),
        (vec![vec![1.5], vec![2.5]], vec![1, 0])
    );
}

#[test]
fn every_bad_input_is_an_error_naming_where() {
    assert_eq!(
        data_error(GOOD, "label"),
        DataError::UnknownColumn(
            "label".into(),
            vec!["a".into(), "b".into(), "class".into(), "c".into()]
        )
    );
    assert_eq!(
        data_error("a,b,class\n1,2,0\n3,4\n", "class"),
        DataError::Ragged(3, 3, 2)
    );
    assert_eq!(
        data_error("a,b,class\n1,2,0\n3,x4,1\n", "class"),
        DataError::NotANumber(3, "b".into(), "x4".into())
    );
    assert_eq!(
        data_error("a,b,class\n1,NaN,0\n", "class"),
        DataError::NotANumber(2, "b".into(), "NaN".into())
    );
    for bad in ["1.5", "-1", "1e10", "4294967295", "inf"] {
        let csv = format!("a,class\n1,0\n2,{bad}\n");
        let e = data_error(&csv, "class");
        assert!(
            matches!(&e, DataError::NotAClass(3, c, t) | DataError::NotANumber(3, c, t) if c == "class" && t == bad),
            "{bad}: {e:?}"
        );
    }
    let missing = Table::read_csv("no/such/file.csv", "class");
    assert!(
        matches!(missing, Err(Error::Data(DataError::Read(path, _))) if path == "no/such/file.csv")
    );
    let lonely = table("a,class\n1,0\n2,0\n3,1\n", "class").expect("good");
    assert_eq!(
        lonely.split(0.5, 0),
        Err(Error::Data(DataError::TooFewSamples(1, 1)))
    );
    let t = table(GOOD, "class").expect("good");
    assert_eq!(
        t.data::<f32, 4, 3>().map(|_| ()),
        Err(Error::Data(DataError::Shape("features", 4, 3)))
    );
    assert_eq!(
        t.data::<f32, 3, 2>().map(|_| ()),
        Err(Error::Data(DataError::Shape("classes", 2, 3)))
    );
    // Messages say where, in words.
    let message = Error::Data(DataError::NotANumber(3, "b".into(), "x4".into())).to_string();
    assert_eq!(message, "line 3, column `b`: `x4` is not a finite number");
}

#[test]
fn the_split_is_stratified_seeded_and_complete() {
    let csv: String = std::iter::once("x,y\n".to_string())
        .chain((0..100usize).map(|i| format!("{i},{}\n", usize::from(i.is_multiple_of(4)))))
        .collect();
    let t = table(&csv, "y").expect("good");
    let (rest, part) = t.split(0.2, 3).expect("splits");
    assert_eq!((rest.rows.len(), part.rows.len()), (80, 20));
    assert_eq!(
        part.labels.iter().filter(|&&c| c == 1).count(),
        5,
        "a fifth of each class"
    );
    let mut all: Vec<f64> = rest.rows.iter().chain(&part.rows).map(|r| r[0]).collect();
    all.sort_by(f64::total_cmp);
    assert_eq!(
        all,
        (0..100).map(f64::from).collect::<Vec<_>>(),
        "every sample once"
    );
    for (row, label) in part.rows.iter().zip(&part.labels) {
        assert_eq!(
            usize::from((row[0] as usize).is_multiple_of(4)),
            *label,
            "rows keep their labels"
        );
    }
    assert_eq!(
        t.split(0.2, 3).expect("splits"),
        (rest.clone(), part.clone())
    );
    assert_ne!(t.split(0.2, 4).expect("splits").1, part);
    // At least one of each class in each part, whatever the fraction.
    let (rest, part) = t.split(0.0, 1).expect("splits");
    assert_eq!((rest.rows.len(), part.rows.len()), (98, 2));
    let (rest, part) = t.split(1.0, 1).expect("splits");
    assert_eq!((rest.rows.len(), part.rows.len()), (2, 98));
    // A class number with no sample (here 1, between 0 and 2) is no obstacle.
    let gap = table("x,y\n1,0\n2,0\n3,2\n4,2\n", "y").expect("good");
    let (rest, part) = gap.split(0.5, 0).expect("splits");
    assert_eq!((rest.labels.len(), part.labels.len()), (2, 2));
}

#[test]
fn targets_are_one_hot_and_back() {
    let t = table(GOOD, "class").expect("good");
    let (x, y) = t.data::<f64, 3, 3>().expect("fits");
    assert_eq!(x[4], SVector::from([13.0, 14.0, 15.0]));
    assert_eq!(y[4], SVector::from([0.0, 0.0, 1.0]));
    for (target, label) in y.iter().zip(&t.labels) {
        assert_eq!(nn::class(target.as_slice()), *label);
    }
    assert_eq!(
        one_hot::<f32, 1>(1),
        SVector::from([1.0]),
        "one sigmoid output: the class"
    );
    let binary = table("a,y\n1,0\n2,1\n", "y").expect("good");
    let (_, y) = binary
        .data::<f32, 1, 1>()
        .expect("two classes fit one output");
    assert_eq!(y, [SVector::from([0.0]), SVector::from([1.0])]);
}

#[test]
fn standardisation_uses_the_training_statistics() {
    let t = table(GOOD, "class").expect("good");
    let scaler = Scaler::fit(&t).expect("a table");
    assert_eq!(scaler.mean, [8.5, 9.5, 10.5]);
    // 1, 4, ..., 16: deviations ±1.5, ±4.5, ±7.5, so a variance of (2.25 + 20.25 + 56.25) / 3.
    let std = 26.25f64.sqrt();
    assert!(
        (scaler.std[0] - std).abs() < 1e-12,
        "{} vs {std}",
        scaler.std[0]
    );
    let scaled = scaler.apply(&t);
    for j in 0..3 {
        let column: Vec<f64> = scaled.rows.iter().map(|r| r[j]).collect();
        let mean = column.iter().sum::<f64>() / 6.0;
        let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 6.0;
        assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
    }
    let constant = Scaler::fit(&table("a,y\n3,0\n3,1\n", "y").expect("good")).expect("a table");
    assert_eq!((constant.mean[0], constant.std[0]), (3.0, 1.0));
}

/// A network folded with the scaler computes on raw inputs what it computed on standardised
/// ones. Mutations caught: the bias not corrected; columns and rows of the weights swapped.
#[test]
fn folding_the_scaler_lets_the_network_take_raw_inputs() {
    let csv =
        "a,b,c,d,y\n5.1,3.5,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n4.9,3.0,1.4,0.2,0\n";
    let t = table(csv, "y").expect("good");
    let scaler = Scaler::fit(&t).expect("a table");
    let (raw, _) = t.data::<f64, 4, 3>().expect("fits");
    let (scaled, _) = scaler.apply(&t).data::<f64, 4, 3>().expect("fits");
    let net = Flower::new(2);
    let mut folded = net.clone();
    scaler.fold_into(&mut folded).expect("4 inputs");
    for (r, s) in raw.iter().zip(&scaled) {
        let (want, got) = (net.forward(&s.cast()), folded.forward(&r.cast()));
        assert!((want - got).abs().max() < 1e-5, "{want} vs {got}");
    }
    let wrong = Scaler {
        mean: vec![0.0; 3],
        std: vec![1.0; 3],
    };
    assert_eq!(
        wrong.fold_into(&mut folded.clone()),
        Err(Error::Data(DataError::Shape("features", 4, 3)))
    );
}

/// Class numbers far apart cost no more to split than small ones. Mutation caught: a loop over
/// every class number up to the largest (a billion here).
#[test]
fn large_class_numbers_split_quickly() {
    let t = table("x,y\n1,0\n2,0\n3,999999999\n4,999999999\n", "y").expect("good");
    assert_eq!(t.classes(), 1_000_000_000);
    let (rest, part) = t.split(0.5, 0).expect("splits");
    assert_eq!((rest.labels.len(), part.labels.len()), (2, 2));
    assert!(matches!(
        t.data::<f32, 1, 10>(),
        Err(Error::Data(DataError::Shape("classes", 10, 1_000_000_000)))
    ));
}

/// A table built by hand with a short row, or fewer labels than rows, is an `Err` wherever it
/// is used, not a panic or a silently shortened data set.
#[test]
fn a_table_built_by_hand_is_checked() {
    let ragged = Table {
        names: vec!["a".into(), "b".into()],
        rows: vec![vec![1.0, 2.0], vec![3.0]],
        labels: vec![0, 1],
    };
    let short_row = Err(Error::Data(DataError::Ragged(3, 2, 1)));
    assert_eq!(ragged.data::<f32, 2, 2>().map(|_| ()), short_row);
    assert_eq!(ragged.split(0.5, 0).map(|_| ()), short_row);
    assert_eq!(Scaler::fit(&ragged).map(|_| ()), short_row);
    let unlabelled = Table {
        labels: vec![0],
        rows: vec![vec![1.0, 2.0], vec![3.0, 4.0]],
        ..ragged
    };
    assert_eq!(
        unlabelled.data::<f32, 2, 2>().map(|_| ()),
        Err(Error::LengthMismatch(2, 1))
    );
}
