//! Data for classification (feature `std`): a numeric CSV file in, a seeded stratified split,
//! standardisation fitted on the training part, one-hot targets for the network, and the
//! standardisation folded into the network's first layer, so that the saved or embedded model
//! takes raw inputs.
//!
//! ```
//! use nn::data::{Scaler, Table};
//!
//! let csv = "height,weight,class\n1.0,10,0\n1.2,11,0\n1.1,12,0\n2.0,30,1\n2.2,31,1\n2.1,29,1\n";
//! let table = Table::from_csv(csv.as_bytes(), "class")?;
//! assert_eq!((table.names.len(), table.classes()), (2, 2));
//! let (train, test) = table.split(1.0 / 3.0, 7)?; // one of each class's three to test
//! assert_eq!((train.rows.len(), test.rows.len()), (4, 2));
//! let scaler = Scaler::fit(&train)?;
//! let (x, y) = scaler.apply(&train).data::<f32, 2, 2>()?;
//! assert_eq!((x.len(), y[0].sum()), (4, 1.0));
//! # Ok::<(), nn::Error>(())
//! ```
pub(crate) mod error;

use crate::{Error, Float, Model};
pub use error::DataError;
use nalgebra::SVector;
use rand::{seq::SliceRandom, SeedableRng};

impl From<DataError> for Error {
    fn from(e: DataError) -> Self {
        Error::Data(e)
    }
}

/// A classification data set: a row of numbers per sample, and its class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// The feature columns' names, from the header.
    pub names: Vec<String>,
    /// One row of feature values per sample.
    pub rows: Vec<Vec<f64>>,
    /// Each sample's class, from the target column: `0..classes()`.
    pub labels: Vec<usize>,
}

impl Table {
    /// Reads the CSV file `path`: a header of column names, then one sample per line, every
    /// field a number; the column named `target` holds the classes (`0, 1, 2, ...`), the
    /// others are the features.
    ///
    /// # Errors
    /// [`DataError`]: an unreadable file, an unknown target column, a ragged row, a field that
    /// is not a finite number, a target that is not a class; each names its line and column.
    pub fn read_csv(path: impl AsRef<std::path::Path>, target: &str) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = std::fs::File::open(path);
        let read_error =
            |e: std::io::Error| DataError::Read(path.display().to_string(), e.to_string());
        Self::from_csv(file.map_err(read_error)?, target)
    }

    /// [`Table::read_csv`] from any reader, such as a string's bytes.
    ///
    /// # Errors
    /// As [`Table::read_csv`].
    pub fn from_csv(reader: impl std::io::Read, target: &str) -> Result<Self, Error> {
        let mut builder = csv::ReaderBuilder::new();
        let mut csv = builder.trim(csv::Trim::All).from_reader(reader);
        let read_error = |e: csv::Error| DataError::Read("the CSV data".into(), e.to_string());
        let header = csv.headers().map_err(read_error)?;
        let header: Vec<String> = header.iter().map(Into::into).collect();
        let Some(y) = header.iter().position(|name| name == target) else {
            return Err(DataError::UnknownColumn(target.into(), header).into());
        };
        let mut table = Self::default();
        let features = header.iter().filter(|name| *name != target);
        table.names = features.cloned().collect();
        for record in csv.records() {
            let record = record.map_err(|e| match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    pos,
                    expected_len,
                    len,
                } => {
                    let line = pos.as_ref().map_or(0, csv::Position::line);
                    DataError::Ragged(line, *expected_len as usize, *len as usize)
                }
                _ => read_error(e),
            })?;
            let line = record.position().map_or(0, csv::Position::line);
            let mut row = Vec::with_capacity(header.len() - 1);
            for (i, (text, column)) in record.iter().zip(&header).enumerate() {
                let value = text.parse::<f64>().ok().filter(|v| v.is_finite());
                let Some(value) = value else {
                    return Err(DataError::NotANumber(line, column.clone(), text.into()).into());
                };
                if i != y {
                    row.push(value);
                } else if value >= 0.0 && value.fract() == 0.0 && value < f64::from(u32::MAX) {
                    table.labels.push(value as usize);
                } else {
                    return Err(DataError::NotAClass(line, column.clone(), text.into()).into());
                }
            }
            table.rows.push(row);
        }
        Ok(table)
    }

    /// `Ok` if there is a label for every row and every row has a value for every feature,
    /// as `read_csv` makes them (a table built by hand may not be).
    fn check(&self) -> Result<(), Error> {
        crate::error::same_length(&self.rows, &self.labels)?;
        let width = self.names.len();
        match self.rows.iter().position(|row| row.len() != width) {
            // Line 1 is the header.
            Some(i) => Err(DataError::Ragged(i as u64 + 2, width, self.rows[i].len()).into()),
            None => Ok(()),
        }
    }

    /// The number of classes: the largest label and one.
    pub fn classes(&self) -> usize {
        self.labels.iter().max().map_or(0, |&c| c + 1)
    }

    /// The samples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Self {
        Self {
            names: self.names.clone(),
            rows: indices.iter().map(|&i| self.rows[i].clone()).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// Splits the samples into `(rest, part)`, with `fraction` of every class (rounded, and at
    /// least one, but never all) in `part`, chosen at random from `seed`: a stratified split,
    /// as scikit-learn's `train_test_split(..., stratify=y)`. Split a test set off the whole,
    /// then a validation set off the rest. Both parts come shuffled.
    ///
    /// # Errors
    /// [`DataError::TooFewSamples`] for a class with fewer than 2 samples;
    /// [`DataError::Ragged`] or [`Error::LengthMismatch`] for a table built by hand with a
    /// row of another width or rows and labels of different numbers.
    pub fn split(&self, fraction: f64, seed: u64) -> Result<(Self, Self), Error> {
        self.check()?;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut rest = Vec::new();
        let mut part = Vec::new();
        // The samples grouped by class, each group in file order (a stable sort), so that
        // the split costs n·log n whatever the class numbers.
        let mut order: Vec<usize> = (0..self.labels.len()).collect();
        order.sort_by_key(|&i| self.labels[i]);
        for samples in order.chunk_by_mut(|&a, &b| self.labels[a] == self.labels[b]) {
            if samples.len() == 1 {
                let class = self.labels[samples[0]];
                return Err(DataError::TooFewSamples(class, 1).into());
            }
            samples.shuffle(&mut rng);
            let n = (samples.len() as f64 * fraction).round() as usize;
            let n = n.clamp(1, samples.len() - 1);
            part.extend_from_slice(&samples[..n]);
            rest.extend_from_slice(&samples[n..]);
        }
        rest.shuffle(&mut rng);
        part.shuffle(&mut rng);
        Ok((self.select(&rest), self.select(&part)))
    }

    /// The inputs and the targets as a network of `I` inputs and `O` outputs takes them: each
    /// row as an `SVector`, each class one-hot (with one output, the class itself, 0 or 1).
    ///
    /// # Errors
    /// [`DataError::Shape`] if the table has other than `I` features, or more classes than
    /// the network has outputs (two for a single output); as [`Table::split`] for a table
    /// built by hand.
    pub fn data<T: Float, const I: usize, const O: usize>(&self) -> Result<Owned<T, I, O>, Error> {
        self.check()?;
        let classes = self.classes();
        if self.names.len() != I {
            return Err(DataError::Shape("features", I, self.names.len()).into());
        } else if classes > O.max(2) {
            return Err(DataError::Shape("classes", O.max(2), classes).into());
        }
        let input = |row: &Vec<f64>| SVector::from_fn(|i, _| T::cast(row[i]));
        let inputs = self.rows.iter().map(input);
        let targets = self.labels.iter().map(|&class| one_hot(class));
        Ok((inputs.collect(), targets.collect()))
    }
}

/// The target of a sample of `class` for a network of `O` outputs: 1 at the class, 0
/// elsewhere; with one output (a sigmoid), the class itself, 0 or 1. [`crate::class`] turns
/// outputs back into a class.
pub fn one_hot<T: Float, const O: usize>(class: usize) -> SVector<T, O> {
    match O {
        1 => SVector::from_element(T::cast(class as f64)),
        _ => SVector::from_fn(|i, _| T::cast(f64::from(u8::from(i == class)))),
    }
}

/// A standardisation: each feature minus its mean, over its standard deviation, with the
/// statistics of the data it was fitted on (the training part only, so that nothing of the
/// test data leaks into the model), as scikit-learn's `StandardScaler`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scaler {
    /// Each feature's mean.
    pub mean: Vec<f64>,
    /// Each feature's standard deviation (1 for a constant feature, which then only loses its
    /// mean).
    pub std: Vec<f64>,
}

impl Scaler {
    /// The means and standard deviations (population, as scikit-learn's) of `table`'s
    /// features.
    ///
    /// # Errors
    /// As [`Table::split`] for a table built by hand.
    pub fn fit(table: &Table) -> Result<Self, Error> {
        table.check()?;
        let n = table.rows.len().max(1) as f64;
        let columns = 0..table.names.len();
        let mean = |j: usize| table.rows.iter().map(|row| row[j]).sum::<f64>() / n;
        let mean: Vec<f64> = columns.clone().map(mean).collect();
        let variance = |j: usize| {
            let squares = table.rows.iter().map(|row| (row[j] - mean[j]).powi(2));
            squares.sum::<f64>() / n
        };
        let deviation = |v: f64| if v > 0.0 { v.sqrt() } else { 1.0 };
        let std = columns.map(variance).map(deviation).collect();
        Ok(Self { mean, std })
    }

    /// `table` standardised.
    pub fn apply(&self, table: &Table) -> Table {
        let scale = |row: &Vec<f64>| -> Vec<f64> {
            let features = row.iter().zip(&self.mean).zip(&self.std);
            features.map(|((x, m), s)| (x - m) / s).collect()
        };
        Table {
            rows: table.rows.iter().map(scale).collect(),
            ..table.clone()
        }
    }

    /// Folds the standardisation into `net`'s first layer, so that `net` computes on raw
    /// inputs what it computed on standardised ones: with `x' = (x - m) / s`,
    /// `W·x' + b = (W / s)·x + (b - (W / s)·m)`, so column `j` of `W` is divided by `s_j`
    /// and `b` loses `Σ_j W_j·m_j / s_j`. Save or embed `net` after this.
    ///
    /// ```
    /// use nn::data::{Scaler, Table};
    /// use nn::prelude::*;
    ///
    /// network! { struct Net: f64 < 2 => 3 relu => 2 softmax > }
    /// let table = Table::from_csv("a,b,y\n1,100,0\n3,300,1\n2,250,1\n".as_bytes(), "y")?;
    /// let scaler = Scaler::fit(&table)?;
    /// let (raw, _) = table.data::<f64, 2, 2>()?;
    /// let (scaled, _) = scaler.apply(&table).data::<f64, 2, 2>()?;
    /// let net = Net::new(0);
    /// let mut folded = net.clone();
    /// scaler.fold_into(&mut folded)?;
    /// let (a, b) = (net.forward(&scaled[0]), folded.forward(&raw[0]));
    /// assert!((a - b).abs().max() < 1e-12);
    /// # Ok::<(), nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`DataError::Shape`] if the network's input size is not the number of features.
    pub fn fold_into<N: Model>(&self, net: &mut N) -> Result<(), Error> {
        let outputs = N::LAYERS[0].outputs;
        let inputs = N::LAYERS[0].inputs;
        if inputs != self.mean.len() {
            return Err(DataError::Shape("features", inputs, self.mean.len()).into());
        }
        let mut tensors = net.params_mut();
        let (Some(weight), Some(bias)) = (tensors.next(), tensors.next()) else {
            return Ok(());
        };
        // Column `j` of the weights (nalgebra keeps them column by column) multiplies input `j`.
        let columns = weight.chunks_exact_mut(outputs).zip(&self.mean);
        for ((column, m), s) in columns.zip(&self.std) {
            for (w, b) in column.iter_mut().zip(bias.iter_mut()) {
                *w = N::Scalar::cast(w.to_f64() / s);
                *b = N::Scalar::cast(b.to_f64() - w.to_f64() * m);
            }
        }
        Ok(())
    }
}

/// A data set's `(inputs, targets)`, owned: `(&inputs, &targets)` is the [`Data`](crate::Data) that
/// training and evaluation take.
pub type Owned<T, const I: usize, const O: usize> = (Vec<SVector<T, I>>, Vec<SVector<T, O>>);
