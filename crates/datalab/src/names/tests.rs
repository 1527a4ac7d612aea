use std::collections::{BTreeMap, HashSet};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Counts of each value, most common first (ties by name, so stable).
fn ranked<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in items {
        *counts.entry(s).or_default() += 1;
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// A realistic offender-population ethnicity mix.
const ETHNICITY_MIX: [(Ethnicity, u32); 6] = [
    (Ethnicity::White, 700),
    (Ethnicity::Black, 120),
    (Ethnicity::Asian, 80),
    (Ethnicity::Mixed, 45),
    (Ethnicity::Other, 15),
    (Ethnicity::NotStated, 40),
];

struct Person {
    heritage: Heritage,
    forename: &'static str,
    middle: Option<String>,
    surname: String,
    kind: SurnameKind,
}

fn person(r: &mut ChaCha8Rng) -> Person {
    let ethnicity = pick_weighted(&ETHNICITY_MIX, r);
    let heritage = Heritage::sample(ethnicity, r);
    let gender = if r.random_bool(0.15) {
        Gender::Female
    } else {
        Gender::Male
    };
    let birth_year = r.random_range(1950..2008);
    let forename = forename(heritage, gender, birth_year, r);
    let middle = middle_names(heritage, gender, birth_year, forename, r);
    let (surname, kind) = draw_surname(heritage, Some(gender), r);
    Person {
        heritage,
        forename,
        middle,
        surname,
        kind,
    }
}

// ----- determinism -----

#[test]
fn same_seed_gives_same_names() {
    let draw = |seed| {
        let mut r = rng(seed);
        (0..1000)
            .map(|_| {
                let p = person(&mut r);
                format!("{} {:?} {}", p.forename, p.middle, p.surname)
            })
            .collect::<Vec<_>>()
    };
    let a = draw(7);
    assert_eq!(a, draw(7));
    assert_ne!(a, draw(8));
}

// ----- frequencies -----

#[test]
fn david_is_a_top_name_for_british_men_born_1965() {
    let mut r = rng(1);
    let names: Vec<_> = (0..100_000)
        .map(|_| forename(Heritage::British, Gender::Male, 1965, &mut r))
        .collect();
    let top = ranked(names.iter().copied());
    let top5: Vec<_> = top.iter().take(5).map(|t| t.0).collect();
    assert!(top5.contains(&"David"), "top 5: {top5:?}");
    // The top ten carry a realistic share: 20-35%.
    let top10: usize = top.iter().take(10).map(|t| t.1).sum();
    let share = top10 as f64 / 100_000.0;
    assert!((0.20..0.35).contains(&share), "top-10 share {share}");
}

#[test]
fn top_ten_share_of_every_british_forename_table_is_realistic() {
    for band in 0..4 {
        for g in [Gender::Male, Gender::Female] {
            let t = british_source(g, band);
            let total: u32 = t.iter().map(|e| e.1).sum();
            let mut w: Vec<u32> = t.iter().map(|e| e.1).collect();
            w.sort_unstable_by(|a, b| b.cmp(a));
            let share = w[..10].iter().sum::<u32>() as f64 / total as f64;
            assert!((0.18..0.35).contains(&share), "band {band} {g:?}: {share}");
        }
    }
}

#[test]
fn british_names_shift_with_birth_era() {
    for g in [Gender::Male, Gender::Female] {
        let top = |year| {
            let mut r = rng(2);
            let names: Vec<_> = (0..20_000)
                .map(|_| forename(Heritage::British, g, year, &mut r))
                .collect();
            ranked(names.iter().copied())
                .into_iter()
                .take(5)
                .map(|t| t.0)
                .collect::<Vec<_>>()
        };
        let (old, mid, young) = (top(1960), top(1990), top(2002));
        assert_ne!(old[0], mid[0], "{g:?}: {old:?} vs {mid:?}");
        assert_ne!(mid[0], young[0], "{g:?}: {mid:?} vs {young:?}");
        // Little overlap between the top fives of 1960 and 2002.
        assert!(
            old.iter().filter(|n| young.contains(n)).count() <= 1,
            "{old:?} {young:?}"
        );
    }
    // Specific fashions.
    let mut r = rng(3);
    let women_1960: HashSet<_> = (0..5000)
        .map(|_| forename(Heritage::British, Gender::Female, 1960, &mut r))
        .collect();
    let women_2000: HashSet<_> = (0..5000)
        .map(|_| forename(Heritage::British, Gender::Female, 2000, &mut r))
        .collect();
    assert!(women_1960.contains("Susan") && !women_2000.contains("Susan"));
    assert!(women_2000.contains("Chloe") && !women_1960.contains("Chloe"));
}

#[test]
fn sikh_full_names_carry_singh_or_kaur() {
    let mut r = rng(24);
    let mut with_middle = 0;
    for _ in 0..5000 {
        let n = full_name(Heritage::Indian, Gender::Female, 1975, &mut r);
        assert_ne!(n.surname, "Singh");
        assert_ne!(n.middle_names.as_deref(), Some("Singh"));
        if n.middle_names.as_deref() == Some("Kaur") {
            with_middle += 1;
            assert_ne!(n.surname, "Kaur");
        }
    }
    assert!(with_middle > 300, "{with_middle}");
}

#[test]
fn smith_is_the_commonest_british_surname_at_a_plausible_share() {
    // Smith is borne by about 1.2-1.3% of people in England and Wales, a bit
    // more among White British. The table lists only ~400 names (the real
    // tail has tens of thousands), so listed names are somewhat inflated
    // (see `surnames::BRITISH`; we aim for ~1.6%): accept 1.0-2.5%.
    let mut r = rng(4);
    let names: Vec<_> = (0..100_000)
        .map(|_| surname(Heritage::British, &mut r))
        .collect();
    let top = ranked(names.iter().map(String::as_str));
    assert_eq!(top[0].0, "Smith");
    let share = top[0].1 as f64 / 100_000.0;
    assert!((0.010..0.025).contains(&share), "Smith share {share}");
    assert_eq!(top[1].0, "Jones");
    // A long tail: many distinct surnames, most of them rare.
    let distinct = top.len();
    let singletons = top.iter().filter(|t| t.1 == 1).count();
    assert!(distinct > 3000, "{distinct} distinct surnames");
    assert!(singletons > 300, "{singletons} surnames seen once");
}

#[test]
fn rare_and_compound_shares_are_in_range() {
    let mut r = rng(5);
    let n = 100_000;
    let kinds: Vec<_> = (0..n)
        .map(|_| draw_surname(Heritage::British, None, &mut r).1)
        .collect();
    let share = |k| kinds.iter().filter(|&&x| x == k).count() as f64 / n as f64;
    let rare = share(SurnameKind::Rare);
    assert!((0.10..0.15).contains(&rare), "British rare share {rare}");
    let compound = share(SurnameKind::Compound);
    assert!(
        (0.006..0.014).contains(&compound),
        "double-barrelled share {compound}"
    );

    // Over a realistic mix of heritages the rare share is still 10-15%.
    let mut r = rng(6);
    let people: Vec<_> = (0..n).map(|_| person(&mut r)).collect();
    let rare = people
        .iter()
        .filter(|p| p.kind == SurnameKind::Rare)
        .count() as f64
        / n as f64;
    assert!((0.10..0.15).contains(&rare), "mixed rare share {rare}");
}

#[test]
fn double_barrelled_names_are_two_different_table_names() {
    let mut r = rng(9);
    let mut seen = 0;
    for _ in 0..20_000 {
        let (s, kind) = draw_surname(Heritage::British, None, &mut r);
        if kind == SurnameKind::Compound {
            let (a, b) = s.split_once('-').expect("hyphenated");
            assert_ne!(a, b);
            assert!(!b.contains('-'), "{s}");
            seen += 1;
        }
    }
    assert!(seen > 100);
}

// ----- heritage -----

#[test]
fn heritage_follows_ethnicity() {
    let mut r = rng(10);
    let draws = |e, r: &mut ChaCha8Rng| -> Vec<Heritage> {
        (0..10_000).map(|_| Heritage::sample(e, r)).collect()
    };
    let share = |v: &[Heritage], h| v.iter().filter(|&&x| x == h).count() as f64 / v.len() as f64;

    let white = draws(Ethnicity::White, &mut r);
    assert!(share(&white, Heritage::British) > 0.78);
    assert!(share(&white, Heritage::EastEuropean) > 0.05);
    assert_eq!(share(&white, Heritage::Pakistani), 0.0);

    let black = draws(Ethnicity::Black, &mut r);
    for h in [
        Heritage::Caribbean,
        Heritage::WestAfrican,
        Heritage::EastAfrican,
    ] {
        assert!(share(&black, h) > 0.1, "{h:?}");
    }
    assert_eq!(share(&black, Heritage::British), 0.0);

    let asian = draws(Ethnicity::Asian, &mut r);
    assert!(share(&asian, Heritage::Pakistani) > 0.35);
    assert!(share(&asian, Heritage::Indian) > 0.15);
    assert!(share(&asian, Heritage::Bangladeshi) > 0.1);
    assert_eq!(share(&asian, Heritage::British), 0.0);

    let mixed = draws(Ethnicity::Mixed, &mut r);
    assert!(share(&mixed, Heritage::British) > 0.45);
    assert!(share(&mixed, Heritage::Caribbean) > 0.2);

    let other = draws(Ethnicity::Other, &mut r);
    assert!(share(&other, Heritage::Arab) > 0.3);
    assert!(share(&other, Heritage::Turkish) > 0.1);

    let unknown = draws(Ethnicity::NotStated, &mut r);
    assert!(share(&unknown, Heritage::British) > 0.5);
    let kinds: HashSet<_> = unknown.iter().collect();
    assert!(
        kinds.len() >= 10,
        "not stated covers most heritages: {kinds:?}"
    );
}

// ----- diversity -----

#[test]
fn a_mixed_population_has_accents_apostrophes_and_hyphens() {
    let mut r = rng(11);
    let people: Vec<_> = (0..100_000).map(|_| person(&mut r)).collect();
    let forenames = || people.iter().map(|p| p.forename);
    let surnames = || people.iter().map(|p| p.surname.as_str());

    assert!(forenames().any(|f| !f.is_ascii()), "accented forenames");
    assert!(forenames().any(|f| f.contains('-')), "hyphenated forenames");
    assert!(
        forenames().any(|f| f.contains('\'')),
        "forenames with apostrophes"
    );
    assert!(surnames().any(|s| !s.is_ascii()), "accented surnames");
    assert!(surnames().any(|s| s.contains('-')), "hyphenated surnames");
    assert!(
        surnames().any(|s| s.contains('\'')),
        "surnames with apostrophes"
    );
    assert!(surnames().any(|s| s.contains(' ')), "surnames with spaces");
    for expected in ["O'Neill", "McDonald", "Nowak", "Khan", "Patel", "Smith"] {
        assert!(surnames().any(|s| s == expected), "{expected}");
    }
    let with_o = surnames().filter(|s| s.starts_with("O'")).count();
    assert!(with_o > 200, "{with_o} O' surnames");
    let accented_forenames = forenames().filter(|f| !f.is_ascii()).count();
    assert!(accented_forenames > 300, "{accented_forenames}");

    let heritages: HashSet<_> = people.iter().map(|p| p.heritage).collect();
    assert_eq!(heritages.len(), Heritage::ALL.len());
    let distinct_surnames: HashSet<_> = surnames().collect();
    assert!(
        distinct_surnames.len() > 10_000,
        "{}",
        distinct_surnames.len()
    );
}

#[test]
fn every_heritage_and_gender_draws_plausibly() {
    let mut r = rng(12);
    for h in Heritage::ALL {
        for g in [Gender::Male, Gender::Female] {
            for year in [1955, 1978, 1990, 2003] {
                for _ in 0..200 {
                    let f = forename(h, g, year, &mut r);
                    assert!(!f.is_empty());
                    let s = surname_for(h, g, &mut r);
                    assert!(!s.is_empty() && s.trim() == s && !s.contains("  "), "{s:?}");
                    assert!(!s.contains('|'), "{s}");
                    assert!(s.chars().next().is_some_and(|c| c.is_alphabetic()), "{s}");
                }
            }
        }
    }
}

// ----- gendered surnames -----

#[test]
fn surnames_take_the_bearers_gender() {
    let mut r = rng(13);
    let women: Vec<_> = (0..20_000)
        .map(|_| surname_for(Heritage::EastEuropean, Gender::Female, &mut r))
        .collect();
    let men: Vec<_> = (0..20_000)
        .map(|_| surname_for(Heritage::EastEuropean, Gender::Male, &mut r))
        .collect();
    assert!(women.iter().any(|s| s == "Kowalska"));
    assert!(
        !women.iter().any(|s| s.ends_with("ski")),
        "no -ski for women"
    );
    assert!(women.iter().any(|s| s.ends_with("ienė")));
    assert!(men.iter().any(|s| s == "Kowalski"));
    assert!(!men.iter().any(|s| s.ends_with("ska") || s.ends_with("ová")));
    // Nowak is the same for both.
    assert!(women.iter().any(|s| s == "Nowak"));

    let sikh_women: Vec<_> = (0..5000)
        .map(|_| surname_for(Heritage::Indian, Gender::Female, &mut r))
        .collect();
    let indian_men: Vec<_> = (0..5000)
        .map(|_| surname_for(Heritage::Indian, Gender::Male, &mut r))
        .collect();
    assert!(sikh_women.iter().any(|s| s == "Kaur"));
    assert!(!sikh_women.iter().any(|s| s == "Singh"));
    assert!(indian_men.iter().any(|s| s == "Singh"));
    assert!(!indian_men.iter().any(|s| s == "Kaur"));

    let bangladeshi_women: Vec<_> = (0..5000)
        .map(|_| surname_for(Heritage::Bangladeshi, Gender::Female, &mut r))
        .collect();
    let begum = bangladeshi_women.iter().filter(|s| *s == "Begum").count() as f64 / 5000.0;
    assert!((0.15..0.30).contains(&begum), "Begum share {begum}");
    let bangladeshi_men: Vec<_> = (0..5000)
        .map(|_| surname_for(Heritage::Bangladeshi, Gender::Male, &mut r))
        .collect();
    assert!(
        !bangladeshi_men
            .iter()
            .any(|s| s == "Begum" || s == "Khatun")
    );

    let irish_women: Vec<_> = (0..50_000)
        .map(|_| surname_for(Heritage::Irish, Gender::Female, &mut r))
        .collect();
    assert!(irish_women.iter().any(|s| s.starts_with("Ní ")));
    assert!(!irish_women.iter().any(|s| s.starts_with("Ó ")));
}

#[test]
fn surname_for_men_draws_exactly_like_surname() {
    for h in Heritage::ALL {
        let (mut a, mut b) = (rng(14), rng(14));
        for _ in 0..500 {
            assert_eq!(surname(h, &mut a), surname_for(h, Gender::Male, &mut b));
        }
    }
}

// ----- full names -----

#[test]
fn full_name_is_deterministic_and_coherent() {
    let draw = |seed| {
        let mut r = rng(seed);
        (0..500)
            .map(|i| {
                let h = Heritage::ALL[i % Heritage::ALL.len()];
                full_name(
                    h,
                    if i % 3 == 0 {
                        Gender::Female
                    } else {
                        Gender::Male
                    },
                    1960 + (i % 45) as i32,
                    &mut r,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(21), draw(21));

    // A Sikh first name never comes with a Gujarati surname, nor a Polish
    // first name with a Romanian surname.
    let sikh_only: HashSet<&str> = forenames::SIKH_MALE
        .iter()
        .map(|e| e.0)
        .filter(|n| !forenames::HINDU_MALE.iter().any(|e| e.0 == *n))
        .collect();
    let gujarati: HashSet<&str> = surnames::GUJARATI.iter().map(|e| e.0).collect();
    let polish_first: HashSet<&str> = forenames::POLISH_MALE.iter().map(|e| e.0).collect();
    let romanian_surnames: HashSet<&str> = surnames::ROMANIAN.iter().map(|e| e.0).collect();
    let mut r = rng(22);
    let mut sikh = 0;
    for _ in 0..20_000 {
        let n = full_name(Heritage::Indian, Gender::Male, 1980, &mut r);
        if sikh_only.contains(n.forename) {
            sikh += 1;
            assert!(!gujarati.contains(n.surname.as_str()), "{n:?}");
        }
        let n = full_name(Heritage::EastEuropean, Gender::Male, 1980, &mut r);
        if polish_first.contains(n.forename) && n.forename != "Daniel" && n.forename != "Adam" {
            assert!(!romanian_surnames.contains(n.surname.as_str()), "{n:?}");
        }
    }
    assert!(sikh > 4000, "{sikh}");
    // The separate calls, by contrast, do mix traditions.
    let mut mixed = 0;
    for _ in 0..20_000 {
        let f = forename(Heritage::Indian, Gender::Male, 1980, &mut r);
        let s = surname_for(Heritage::Indian, Gender::Male, &mut r);
        mixed += usize::from(sikh_only.contains(f) && s == "Patel");
    }
    assert!(mixed > 0);
}

#[test]
fn middle_names_follow_the_forename_tradition() {
    let mut r = rng(23);
    let polish: HashSet<&str> = forenames::POLISH_FEMALE.iter().map(|e| e.0).collect();
    let mut checked = 0;
    for _ in 0..5000 {
        let first = forename(Heritage::EastEuropean, Gender::Female, 1985, &mut r);
        if first == "Katarzyna"
            && let Some(m) =
                middle_names(Heritage::EastEuropean, Gender::Female, 1985, first, &mut r)
        {
            checked += 1;
            for w in m.split(' ') {
                assert!(polish.contains(w), "{first} {m}");
            }
        }
    }
    assert!(checked > 20, "{checked}");
}

// ----- middle names -----

#[test]
fn middle_names_are_distinct_and_in_proportion() {
    let mut r = rng(15);
    let n = 50_000;
    let mut counts = [0usize; 3];
    for i in 0..n {
        let g = if i % 2 == 0 {
            Gender::Male
        } else {
            Gender::Female
        };
        let year = 1950 + i % 58;
        let first = forename(Heritage::British, g, year, &mut r);
        let middle = middle_names(Heritage::British, g, year, first, &mut r);
        let words: Vec<&str> = middle
            .as_deref()
            .map(|m| m.split(' ').collect())
            .unwrap_or_default();
        counts[words.len().min(2)] += 1;
        if let Some(m) = &middle {
            assert!(!same_first_name(m, first), "{first} {m}");
            assert_eq!(m.trim(), m);
            for w in &words {
                assert_ne!(fold(w), fold(first), "{first} {m}");
            }
            if words.len() == 2 {
                assert_ne!(fold(words[0]), fold(words[1]), "{first} {m}");
            }
        }
    }
    let share = |k: usize| counts[k] as f64 / n as f64;
    assert!((0.37..0.43).contains(&share(0)), "none {}", share(0));
    assert!((0.46..0.54).contains(&share(1)), "one {}", share(1));
    assert!((0.08..0.12).contains(&share(2)), "two {}", share(2));
}

#[test]
fn somali_middle_names_are_fathers_names() {
    let mut r = rng(16);
    let male: HashSet<&str> = forenames::SOMALI_MALE
        .iter()
        .chain(forenames::HABESHA_MALE)
        .map(|e| e.0)
        .collect();
    for _ in 0..2000 {
        let first = forename(Heritage::EastAfrican, Gender::Female, 1990, &mut r);
        if let Some(m) = middle_names(Heritage::EastAfrican, Gender::Female, 1990, first, &mut r) {
            let father = m.split(' ').next().unwrap();
            assert!(male.contains(father), "{first} {m}");
        }
    }
}

// ----- fold -----

#[test]
fn fold_canonicalises() {
    let cases = [
        ("O'Neill", "oneill"),
        ("Zoë", "zoe"),
        ("Anne-Marie", "anne marie"),
        ("  de la  Cruz ", "de la cruz"),
        ("Łukasz", "lukasz"),
        ("ŞAHİN", "sahin"),
        ("Müller", "muller"),
        ("Gonçalves", "goncalves"),
        ("Wiśniewska", "wisniewska"),
        ("O\u{2019}Brien", "obrien"),
        ("D`Souza", "dsouza"),
        ("Smith--Jones", "smith jones"),
        ("St. Hilaire", "st hilaire"),
        ("Ní Bhriain", "ni bhriain"),
        ("MacLEOD", "macleod"),
        ("", ""),
        (" - ", ""),
    ];
    for (input, want) in cases {
        assert_eq!(fold(input), want, "{input:?}");
        with_folded(input, |f| assert_eq!(f, want, "{input:?} (fast path)"));
    }
}

#[test]
fn fold_is_idempotent_on_generated_names() {
    let mut r = rng(17);
    for _ in 0..5000 {
        let p = person(&mut r);
        for name in [p.forename, p.surname.as_str()] {
            let f = fold(name);
            assert_eq!(fold(&f), f);
            assert!(f.is_ascii() && !f.is_empty(), "{name:?} -> {f:?}");
        }
    }
}

// ----- nicknames and same_first_name -----

#[test]
fn nicknames_are_found_case_and_accent_insensitively() {
    assert!(nicknames("Robert").contains(&"Bob"));
    assert!(nicknames("ROBERT").contains(&"Robbie"));
    assert!(nicknames("william").contains(&"Bill"));
    assert!(nicknames("Elizabeth").contains(&"Beth"));
    assert!(nicknames("Margaret").contains(&"Peggy"));
    assert_eq!(nicknames("Mohammed"), &["Mo"]);
    assert_eq!(nicknames("Muhammad"), &["Mo"], "variants share nicknames");
    assert!(nicknames("Lukasz").contains(&"Luke"), "accent-insensitive");
    assert!(nicknames("Steven").contains(&"Steve"));
    assert!(
        nicknames("Jon").is_empty(),
        "a short form does not inherit John's"
    );
    assert!(nicknames("Zebedee").is_empty());
    assert!(nicknames("").is_empty());
}

#[test]
fn same_first_name_recognises_forms_of_a_name() {
    let same = [
        ("Bob", "Robert"),
        ("Robert", "Bob"),
        ("Bill", "William"),
        ("Bob", "Robbie"),
        ("Liz", "Beth"),
        ("Mohammed", "Muhammad"),
        ("Mohamed", "Mohammad"),
        ("Md", "Mohammed"),
        ("Mo", "Muhammad"),
        ("Steven", "Stephen"),
        ("Steve", "Steven"),
        ("Jon", "John"),
        ("Jon", "Jonathan"),
        ("Catherine", "Kathryn"),
        ("Kate", "Katherine"),
        ("Aleksander", "Alexander"),
        ("Zoe", "Zoë"),
        ("ZOE", "zoë"),
        ("Seán", "Shaun"),
        ("Ciarán", "Kieran"),
        ("Piotr", "Peter"),
        ("Kasia", "Katarzyna"),
        ("Fadumo", "Fatima"),
        ("anne-marie", "Anne Marie"),
        ("Harry", "Henry"),
        ("Harry", "Harold"),
        ("Abdul-Rahman", "Abdulrahman"),
    ];
    for (a, b) in same {
        assert!(same_first_name(a, b), "{a} ~ {b}");
        assert!(same_first_name(b, a), "{b} ~ {a}");
    }
}

#[test]
fn same_first_name_rejects_different_names() {
    let different = [
        ("John", "James"),
        ("Robert", "Roberta"),
        // Shane derives from Seán but is a different name in practice; the
        // linker's string similarity can still weigh them.
        ("Sean", "Shane"),
        ("Robert", "Albert"), // both "Bert", but not each other
        ("Henry", "Harold"),  // both "Harry"
        ("John", "Jonathan"), // both "Jon"/"Johnny"
        ("Jack", "Jake"),
        ("Peter", "Pedro"),
        ("Mohammed", "Maurice"),
        ("Stephen", "Stephanie"),
        ("Ann", "Anna"),
        ("Mary", "Maria"),
        ("Louis", "Luis"),
        ("", ""),
        ("Robert", ""),
    ];
    for (a, b) in different {
        assert!(!same_first_name(a, b), "{a} !~ {b}");
        assert!(!same_first_name(b, a), "{b} !~ {a}");
    }
}

#[test]
fn spelling_variants_lists_the_group() {
    assert!(spelling_variants("steven").contains(&"Stephen"));
    assert!(spelling_variants("Mohd").contains(&"Muhammad"));
    assert!(spelling_variants("Zebedee").is_empty());
}

#[test]
fn every_generated_nickname_is_recognised() {
    // What the generator injects, the linker must accept.
    for &(formal, nicks) in NICKNAMES {
        assert_eq!(nicknames(formal), nicks, "{formal}");
        for nick in nicks {
            assert!(same_first_name(formal, nick), "{formal} ~ {nick}");
        }
        for &variant in spelling_variants(formal) {
            assert!(same_first_name(formal, variant), "{formal} ~ {variant}");
            for nick in nicks {
                assert!(same_first_name(variant, nick), "{variant} ~ {nick}");
            }
        }
    }
}

// ----- table hygiene -----

fn check_weighted(label: &str, table: Weighted, min_len: usize) {
    assert!(
        table.len() >= min_len,
        "{label}: {} entries, want {min_len}",
        table.len()
    );
    let mut seen = HashSet::new();
    for &(name, weight) in table {
        assert!(weight > 0, "{label}: {name} has weight 0");
        for form in name.split('|') {
            assert!(!form.is_empty(), "{label}: empty name in {name:?}");
            assert_eq!(form.trim(), form, "{label}: {name:?}");
            assert!(!form.contains("  "), "{label}: {name:?}");
        }
        assert!(name.matches('|').count() <= 1, "{label}: {name:?}");
        let key = name.split('|').next().unwrap();
        assert!(seen.insert(key), "{label}: duplicate {key}");
    }
}

fn check_parts(label: &str, parts: &[&str]) {
    let mut seen = HashSet::new();
    for p in parts {
        assert_eq!(p.trim(), *p, "{label}: {p:?}");
        assert!(seen.insert(p), "{label}: duplicate {p}");
    }
    assert!(
        parts.iter().filter(|p| !p.is_empty()).count() >= 5,
        "{label}"
    );
}

#[test]
fn tables_are_well_formed() {
    use surnames::*;
    for band in 0..4 {
        for g in [Gender::Male, Gender::Female] {
            check_weighted(
                &format!("British {g:?} band {band}"),
                british_source(g, band),
                120,
            );
        }
    }
    for h in Heritage::ALL {
        let list = traditions(h);
        assert_eq!(
            list.iter().map(|t| t.share).sum::<u32>(),
            1000,
            "{h:?} shares"
        );
        let (mut male, mut female, mut surnames) = (HashSet::new(), HashSet::new(), HashSet::new());
        for (i, t) in list.iter().enumerate() {
            let label = format!("{h:?} tradition {i}");
            assert_eq!(t.male.is_empty(), h == Heritage::British, "{label}");
            if !t.male.is_empty() {
                check_weighted(&format!("{label} men"), t.male, 10);
                check_weighted(&format!("{label} women"), t.female, 10);
            }
            if let Some((p, m, f)) = t.shared {
                assert!(p > 0.0 && p < 1.0);
                check_weighted(&format!("{label} shared men"), m, 10);
                check_weighted(&format!("{label} shared women"), f, 10);
            }
            for &(name, _) in t.male.iter().chain(t.female) {
                assert!(!name.contains('|'), "forenames are not gendered: {name}");
            }
            check_weighted(&format!("{label} surnames"), t.surnames, 15);
            male.extend(t.male.iter().map(|e| e.0));
            female.extend(t.female.iter().map(|e| e.0));
            surnames.extend(t.surnames.iter().map(|e| e.0));
        }
        // Volume per heritage.
        if h != Heritage::British {
            let min = if h == Heritage::Irish { 40 } else { 25 };
            assert!(
                male.len() >= min && female.len() >= min,
                "{h:?}: {} / {}",
                male.len(),
                female.len()
            );
        }
        let min = if h == Heritage::British { 300 } else { 30 };
        assert!(surnames.len() >= min, "{h:?}: {} surnames", surnames.len());
    }
    check_weighted("Bangladeshi women", BANGLADESHI_WOMEN, 1);
    check_weighted("Pakistani women", PAKISTANI_WOMEN, 1);

    for (label, parts) in [
        ("British prefixes", BRITISH_PREFIXES),
        ("British suffixes", BRITISH_SUFFIXES),
        ("Mac stems", MAC_STEMS),
        ("Irish stems", IRISH_STEMS),
        ("Irish endings", IRISH_ENDINGS),
        ("Polish -ski stems", POLISH_SKI_STEMS),
        ("Polish stems", POLISH_STEMS),
        ("Polish endings", POLISH_ENDINGS),
        ("Romanian stems", ROMANIAN_STEMS),
        ("Romanian endings", ROMANIAN_ENDINGS),
        ("Lithuanian stems", LITHUANIAN_STEMS),
        ("Bulgarian stems", BULGARIAN_STEMS),
        ("Albanian stems", ALBANIAN_STEMS),
        ("Albanian endings", ALBANIAN_ENDINGS),
        ("Portuguese stems", PORTUGUESE_STEMS),
        ("Portuguese endings", PORTUGUESE_ENDINGS),
        ("Italian stems", ITALIAN_STEMS),
        ("Italian endings", ITALIAN_ENDINGS),
        ("Spanish stems", SPANISH_STEMS),
        ("Spanish endings", SPANISH_ENDINGS),
        ("Greek stems", GREEK_STEMS),
        ("Yoruba prefixes", YORUBA_PREFIXES),
        ("Yoruba suffixes", YORUBA_SUFFIXES),
        ("Igbo prefixes", IGBO_PREFIXES),
        ("Igbo suffixes", IGBO_SUFFIXES),
        ("Akan prefixes", AKAN_PREFIXES),
        ("Akan suffixes", AKAN_SUFFIXES),
        ("Mande prefixes", MANDE_PREFIXES),
        ("Mande suffixes", MANDE_SUFFIXES),
        ("Somali", SOMALI_ABDI),
        ("Habesha prefixes", HABESHA_PREFIXES),
        ("Habesha suffixes", HABESHA_SUFFIXES),
        ("Pakistani stems", PAKISTANI_STEMS),
        ("Bangladeshi stems", BANGLADESHI_STEMS),
        ("Bangladeshi endings", BANGLADESHI_ENDINGS),
        ("Sikh prefixes", SIKH_PREFIXES),
        ("Sikh suffixes", SIKH_SUFFIXES),
        ("Indian prefixes", INDIAN_PREFIXES),
        ("Indian suffixes", INDIAN_SUFFIXES),
        ("Chinese initials", CHINESE_INITIALS),
        ("Chinese finals", CHINESE_FINALS),
        ("Pinyin initials", PINYIN_INITIALS),
        ("Pinyin finals", PINYIN_FINALS),
        ("Pinyin palatal finals", PINYIN_PALATAL_FINALS),
        ("Arab nisba stems", ARAB_NISBA_STEMS),
        ("Arab Abdel", ARAB_ABDEL),
        ("Turkish prefixes", TURKISH_PREFIXES),
        ("Turkish suffixes", TURKISH_SUFFIXES),
    ] {
        check_parts(label, parts);
    }
}

#[test]
fn nickname_tables_are_well_formed() {
    assert!(NICKNAMES.len() >= 150, "{} formal names", NICKNAMES.len());
    let mut formal_seen = HashSet::new();
    for &(formal, nicks) in NICKNAMES {
        assert_eq!(formal.trim(), formal);
        assert!(!formal.is_empty() && !nicks.is_empty(), "{formal}");
        assert!(
            formal_seen.insert(fold(formal)),
            "duplicate formal name {formal}"
        );
        let mut seen = HashSet::new();
        for nick in nicks {
            assert!(
                !nick.is_empty() && nick.trim() == *nick,
                "{formal}: {nick:?}"
            );
            assert_ne!(fold(nick), fold(formal), "{formal}");
            assert!(seen.insert(fold(nick)), "{formal}: duplicate {nick}");
        }
    }
    let mut variant_seen = HashSet::new();
    for group in SPELLING_VARIANTS {
        assert!(group.len() >= 2, "{group:?}");
        let mut seen = HashSet::new();
        for name in *group {
            assert!(!name.is_empty() && name.trim() == *name, "{group:?}");
            // Exact duplicates are errors; spellings differing only in
            // accents (Oisin/Oisín) are allowed and fold together.
            assert!(seen.insert(*name), "{group:?}: duplicate {name}");
        }
        for name in *group {
            assert!(
                variant_seen.insert(*name),
                "{name} is in two variant groups"
            );
        }
    }
    // The common male and female British names are covered.
    for name in [
        "Robert",
        "William",
        "James",
        "John",
        "David",
        "Michael",
        "Elizabeth",
        "Margaret",
        "Susan",
        "Katherine",
    ] {
        assert!(!nicknames(name).is_empty(), "{name}");
    }
}
