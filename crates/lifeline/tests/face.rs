//! `lifeline face compare`: its output and exit codes on the labelled test
//! photos (shared/testdata/faces: obama*.jpg are person A, biden.jpg
//! person B).

mod support;
use support::{lifeline, text};

fn photo(name: &str) -> String {
    format!(
        "{}/../../../shared/testdata/faces/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn the_same_person_matches_and_exits_0() {
    let o = lifeline(&["face", "compare", &photo("obama.jpg"), &photo("obama2.jpg")]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("obama.jpg: 1 face found (910 x 1137 pixels)"),
        "{out}"
    );
    assert!(
        out.contains("obama2.jpg: 1 face found (626 x 1200 pixels)"),
        "{out}"
    );
    assert!(out.contains("MATCH: the same person (distance 0."), "{out}");
    assert!(out.contains("under the threshold 0.6)"), "{out}");
}

#[test]
fn a_different_person_does_not_match_and_exits_1() {
    let o = lifeline(&["face", "compare", &photo("obama3.jpg"), &photo("biden.jpg")]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("NO MATCH: different people (distance 0."),
        "{out}"
    );
}

#[test]
fn a_photo_without_a_usable_face_or_no_image_exits_2() {
    let o = lifeline(&[
        "face",
        "compare",
        &photo("obama.jpg"),
        &photo("obama_partial_face.jpg"),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("obama_partial_face.jpg: no face found"),
        "{out}"
    );
    assert!(
        out.contains("We could not find a face in this photo."),
        "{out}"
    );
    assert!(!out.contains("MATCH"), "{out}");

    let o = lifeline(&["face", "compare", &photo("obama.jpg"), &photo("README.md")]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("README.md: the file is not an image"), "{out}");

    let o = lifeline(&[
        "face",
        "compare",
        &photo("obama.jpg"),
        &photo("missing.jpg"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cannot read"), "{}", text(&o));
}
