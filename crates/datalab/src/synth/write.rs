//! Column builders for one chunk of people, and writing them as Parquet parts.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Date32Builder, StringBuilder, UInt8Builder, UInt32Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::SynthError;
use super::cohort::Identifiers;
use super::life::{Identity, Life};
use crate::national::{NEEDS, tables};

/// The national tables for one chunk of people, being built.
#[derive(Default)]
pub(crate) struct Chunk {
    people: People,
    offences: Offences,
    employment: Spells,
    benefits: Spells,
    needs: Needs,
}

#[derive(Default)]
struct People {
    id: UInt32Builder,
    pnc: StringBuilder,
    prison_number: StringBuilder,
    forename: StringBuilder,
    middle: StringBuilder,
    surname: StringBuilder,
    dob: Date32Builder,
    gender: StringBuilder,
    ethnicity: StringBuilder,
    postcode: StringBuilder,
    region: StringBuilder,
}

#[derive(Default)]
struct Offences {
    id: UInt32Builder,
    offence_date: Date32Builder,
    group: StringBuilder,
    disposal_date: Date32Builder,
    disposal: StringBuilder,
    sentence_days: UInt32Builder,
    release_date: Date32Builder,
}

#[derive(Default)]
struct Spells {
    id: UInt32Builder,
    kind: StringBuilder,
    start: Date32Builder,
    end: Date32Builder,
}

#[derive(Default)]
struct Needs {
    id: UInt32Builder,
    date: Date32Builder,
    scores: [UInt8Builder; 10],
}

/// Row counts of the tables written for a chunk, in [`tables::all`] order.
pub(crate) type Counts = [u64; 5];

impl Chunk {
    /// Adds one person and everything that happened to them.
    pub fn push(&mut self, person_id: u32, who: &Identity, ids: &Identifiers, life: &Life) {
        let p = &mut self.people;
        p.id.append_value(person_id);
        p.pnc.append_value(ids.pnc.to_string());
        p.prison_number
            .append_option(ids.prison_number.map(|n| n.to_string()));
        p.forename.append_value(who.forename);
        p.middle.append_option(who.middle_names.as_deref());
        p.surname.append_value(&who.surname);
        p.dob.append_value(who.dob);
        p.gender.append_value(who.gender.code());
        p.ethnicity.append_value(who.ethnicity.name());
        p.postcode.append_value(&who.postcode);
        p.region.append_value(who.region().name());

        let o = &mut self.offences;
        for offence in &life.offences {
            o.id.append_value(person_id);
            o.offence_date.append_value(offence.offence_date);
            o.group.append_value(offence.group.name());
            o.disposal_date.append_value(offence.disposal_date);
            o.disposal.append_value(offence.disposal.name());
            o.sentence_days
                .append_option((offence.sentence_days > 0).then_some(offence.sentence_days));
            o.release_date.append_option(offence.release_date);
        }
        let e = &mut self.employment;
        for &(start, end) in &life.employment {
            e.id.append_value(person_id);
            e.start.append_value(start);
            e.end.append_option(end);
        }
        let b = &mut self.benefits;
        for spell in &life.benefits {
            b.id.append_value(person_id);
            b.kind.append_value(spell.benefit.code());
            b.start.append_value(spell.start);
            b.end.append_option(spell.end);
        }
        let n = &mut self.needs;
        for a in &life.assessments {
            n.id.append_value(person_id);
            n.date.append_value(a.date);
            for (builder, score) in n.scores.iter_mut().zip(a.needs) {
                builder.append_value(score);
            }
        }
    }

    /// Writes each table as `DIR/<table>/part-<chunk>.parquet`.
    pub fn write(mut self, national: &Path, chunk: usize) -> Result<Counts, SynthError> {
        let p = &mut self.people;
        let people: Vec<ArrayRef> = vec![
            Arc::new(p.id.finish()),
            Arc::new(p.pnc.finish()),
            Arc::new(p.prison_number.finish()),
            Arc::new(p.forename.finish()),
            Arc::new(p.middle.finish()),
            Arc::new(p.surname.finish()),
            Arc::new(p.dob.finish()),
            Arc::new(p.gender.finish()),
            Arc::new(p.ethnicity.finish()),
            Arc::new(p.postcode.finish()),
            Arc::new(p.region.finish()),
        ];
        let o = &mut self.offences;
        let offences: Vec<ArrayRef> = vec![
            Arc::new(o.id.finish()),
            Arc::new(o.offence_date.finish()),
            Arc::new(o.group.finish()),
            Arc::new(o.disposal_date.finish()),
            Arc::new(o.disposal.finish()),
            Arc::new(o.sentence_days.finish()),
            Arc::new(o.release_date.finish()),
        ];
        let e = &mut self.employment;
        let employment: Vec<ArrayRef> = vec![
            Arc::new(e.id.finish()),
            Arc::new(e.start.finish()),
            Arc::new(e.end.finish()),
        ];
        let b = &mut self.benefits;
        let benefits: Vec<ArrayRef> = vec![
            Arc::new(b.id.finish()),
            Arc::new(b.kind.finish()),
            Arc::new(b.start.finish()),
            Arc::new(b.end.finish()),
        ];
        let n = &mut self.needs;
        let mut needs: Vec<ArrayRef> = vec![Arc::new(n.id.finish()), Arc::new(n.date.finish())];
        needs.extend(
            n.scores
                .iter_mut()
                .map(|s| Arc::new(s.finish()) as ArrayRef),
        );
        debug_assert_eq!(needs.len(), NEEDS.len() + 2);

        let mut counts = [0; 5];
        let columns = [people, offences, employment, benefits, needs];
        for (i, ((name, schema), cols)) in tables::all().into_iter().zip(columns).enumerate() {
            counts[i] = write_part(&national.join(name), chunk, schema, cols)?;
        }
        Ok(counts)
    }
}

fn part_path(dir: &Path, chunk: usize) -> PathBuf {
    dir.join(format!("part-{chunk:05}.parquet"))
}

fn write_part(
    dir: &Path,
    chunk: usize,
    schema: SchemaRef,
    columns: Vec<ArrayRef>,
) -> Result<u64, SynthError> {
    let path = part_path(dir, chunk);
    let parquet_err = |e: parquet::errors::ParquetError| SynthError::Encode {
        path: path.clone(),
        message: e.to_string(),
    };
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| SynthError::Encode {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let file = File::create(&path).map_err(|source| SynthError::Io {
        path: path.clone(),
        source,
    })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(parquet_err)?;
    writer.write(&batch).map_err(parquet_err)?;
    writer.close().map_err(parquet_err)?;
    Ok(batch.num_rows() as u64)
}
