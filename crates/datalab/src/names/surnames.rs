//! Surname tables and the parts rare surnames are synthesised from.
//!
//! Hand-written synthetic approximations of surname frequencies in each
//! naming tradition as seen in England and Wales; not copied from any
//! register. An entry `"Kowalski|Kowalska"` gives the masculine (dictionary)
//! form and the form a woman bears where the tradition genders surnames
//! (Polish, Lithuanian, Latvian, Czech/Slovak, Bulgarian, Greek, Irish
//! Gaelic, and Singh/Kaur for Sikhs).

use super::forenames::Weighted;

/// British surnames (English, Welsh, Scottish, and the Irish-origin names
/// common throughout Britain), Zipf-like from Smith downwards.
///
/// Real surname frequencies have an enormous tail: the ~400 names listed
/// here cover perhaps a third of the real population, yet must stand for
/// the 87% of British-heritage people not given a synthesised rare name.
/// So the tail is flatter than real life (weights below 150 are tripled,
/// larger ones gain 300): Smith comes out at about 1.6% of British people
/// (really about 1.3%), Jones 1.3%, the top ten about 9% (really about 6%).
pub const BRITISH: Weighted = &[
    ("Smith", 1600), ("Jones", 1300), ("Williams", 1000), ("Taylor", 900), ("Brown", 860),
    ("Davies", 820), ("Evans", 700), ("Wilson", 680), ("Thomas", 670), ("Johnson", 650),
    ("Roberts", 640), ("Robinson", 620), ("Thompson", 615), ("Wright", 610), ("Walker", 600),
    ("White", 590), ("Edwards", 585), ("Hughes", 580), ("Green", 570), ("Hall", 565),
    ("Lewis", 560), ("Harris", 555), ("Clarke", 550), ("Jackson", 545), ("Wood", 540),
    ("Turner", 535), ("Martin", 530), ("Cooper", 525), ("Hill", 520), ("Ward", 518),
    ("Morris", 515), ("Moore", 512), ("Clark", 510), ("Lee", 505), ("King", 502),
    ("Baker", 500), ("Harrison", 498), ("Morgan", 496), ("Allen", 494), ("James", 492),
    ("Scott", 490), ("Phillips", 488), ("Watson", 486), ("Davis", 484), ("Parker", 482),
    ("Price", 480), ("Bennett", 478), ("Young", 476), ("Griffiths", 474), ("Mitchell", 472),
    ("Kelly", 470), ("Cook", 468), ("Carter", 466), ("Richardson", 464), ("Bailey", 462),
    ("Collins", 460), ("Bell", 458), ("Shaw", 456), ("Murphy", 454), ("Miller", 452),
    ("Cox", 450), ("Richards", 447), ("Marshall", 444), ("Anderson", 441), ("Simpson", 438),
    ("Ellis", 435), ("Adams", 432), ("Wilkinson", 429), ("Foster", 426), ("Chapman", 423),
    ("Powell", 420), ("Webb", 417), ("Rogers", 414), ("Gray", 411), ("Mason", 408),
    ("Hunt", 405), ("Campbell", 402), ("Matthews", 399), ("Owen", 396), ("Palmer", 393),
    ("Holmes", 390), ("Mills", 387), ("Barnes", 384), ("Knight", 381), ("Lloyd", 378),
    ("Butler", 375), ("Russell", 372), ("Barker", 369), ("Fisher", 366), ("Stevens", 363),
    ("Jenkins", 360), ("Murray", 357), ("Dixon", 354), ("Harvey", 351), ("Graham", 348),
    ("Pearson", 345), ("Fletcher", 342), ("Walsh", 339), ("Howard", 336), ("Gibson", 333),
    ("Andrews", 330), ("Stewart", 330), ("Reynolds", 327), ("Saunders", 324), ("Payne", 321),
    ("Fox", 318), ("Ross", 315), ("Pearce", 312), ("Hamilton", 309), ("Hudson", 306),
    ("Cole", 303), ("Spencer", 300), ("Hart", 300), ("Berry", 297), ("Dean", 294),
    ("Lawrence", 291), ("Elliott", 288), ("Rose", 285), ("Rees", 285), ("Burton", 282),
    ("Hayes", 279), ("Gardner", 276), ("Porter", 276), ("Kennedy", 273), ("Reid", 270),
    ("Grant", 270), ("Lane", 267), ("Marsh", 264), ("Armstrong", 264), ("Hawkins", 261),
    ("Wells", 258), ("Holland", 258), ("Atkinson", 255), ("Lambert", 252), ("Dawson", 252),
    ("Barrett", 249), ("Francis", 246), ("Ryan", 246), ("Burns", 243), ("Hunter", 240),
    ("McDonald", 240), ("Stone", 237), ("Perry", 237), ("Sutton", 234), ("Bradley", 234),
    ("Newman", 231), ("Tucker", 228), ("Sharp", 228), ("Pritchard", 225), ("Cunningham", 222),
    ("Byrne", 222), ("Day", 219), ("Lowe", 219), ("Fraser", 216), ("Doyle", 216),
    ("Williamson", 213), ("Bishop", 213), ("Chambers", 210), ("Hopkins", 210), ("Rowe", 207),
    ("Bates", 207), ("Nicholson", 204), ("Gordon", 204), ("Morrison", 201), ("Ferguson", 201),
    ("Mann", 198), ("Parry", 198), ("Watts", 195), ("Ball", 195), ("Barber", 192),
    ("Jennings", 192), ("Pugh", 189), ("Vaughan", 189), ("Rhodes", 186), ("Gill", 186),
    ("Hewitt", 183), ("Webster", 183), ("Lord", 180), ("Parsons", 180), ("Booth", 180),
    ("Robertson", 180), ("Oliver", 177), ("Little", 177), ("Kirby", 174), ("O'Brien", 174),
    ("O'Connor", 171), ("O'Neill", 171), ("O'Sullivan", 150), ("McKenzie", 150), ("Thomson", 135),
    ("McLean", 135), ("McCarthy", 135), ("Newton", 135), ("Brooks", 135), ("Bird", 135),
    ("Dunn", 120), ("Hardy", 120), ("Hammond", 120), ("Yates", 120), ("Freeman", 120),
    ("Walters", 120), ("Gregory", 120), ("Henderson", 120), ("O'Donnell", 120), ("O'Reilly", 120),
    ("Bowen", 120), ("Watkins", 120), ("Knowles", 105), ("Cartwright", 105), ("Hodgson", 105),
    ("Holt", 105), ("Cross", 105), ("Wade", 105), ("Whitehead", 105), ("Hutchinson", 105),
    ("Glover", 105), ("Page", 105), ("Goodwin", 105), ("Blake", 105), ("Potter", 105),
    ("Quinn", 105), ("Moss", 105), ("Davidson", 105), ("Burgess", 105), ("Stephens", 105),
    ("McLaughlin", 105), ("MacDonald", 105), ("Paterson", 105), ("Bolton", 90), ("Nash", 90),
    ("Norton", 90), ("Charlton", 90), ("Kerr", 90), ("Read", 90), ("Reed", 90),
    ("Steele", 90), ("Lamb", 90), ("Frost", 90), ("Slater", 90), ("Thornton", 90),
    ("Buckley", 90), ("Fowler", 90), ("Bond", 90), ("Walton", 90), ("Greenwood", 90),
    ("Crawford", 90), ("Lucas", 90), ("Poole", 90), ("Warren", 90), ("O'Leary", 90),
    ("MacLeod", 90), ("McGregor", 90), ("McKay", 90), ("Llewellyn", 90), ("Howell", 90),
    ("Bevan", 90), ("Humphreys", 90), ("Lynch", 90), ("Riley", 90), ("Cameron", 90),
    ("Gallagher", 90), ("O'Hara", 84), ("O'Connell", 84), ("Hobbs", 75), ("Pope", 75),
    ("Naylor", 75), ("Field", 75), ("Hancock", 75), ("Kirk", 75), ("Skinner", 75),
    ("Haynes", 75), ("Farrell", 75), ("Sanders", 75), ("Ashton", 75), ("Whittaker", 75),
    ("Higgins", 75), ("Middleton", 75), ("Sheppard", 75), ("Briggs", 75), ("Savage", 75),
    ("Barton", 75), ("Connolly", 75), ("Bradshaw", 75), ("Clayton", 75), ("Norris", 75),
    ("Osborne", 75), ("Parkinson", 75), ("Stanley", 75), ("Townsend", 75), ("Weston", 75),
    ("McLeod", 75), ("McIntyre", 75), ("McCann", 75), ("McGrath", 75), ("McMillan", 75),
    ("Meredith", 75), ("Howells", 75), ("Rowlands", 75), ("Jarvis", 75), ("Sinclair", 75),
    ("Duncan", 75), ("Docherty", 75), ("Brennan", 75), ("Flynn", 75), ("Doherty", 75),
    ("Fitzgerald", 75), ("Hurst", 60), ("Hyde", 60), ("Conway", 60), ("Horton", 60),
    ("Houghton", 60), ("Dyer", 60), ("Randall", 60), ("Winter", 60), ("Ashworth", 60),
    ("Sims", 60), ("Brooke", 60), ("MacKenzie", 60), ("McAllister", 60), ("McBride", 60),
    ("McGuire", 60), ("O'Shea", 60), ("Ritchie", 60), ("Boyle", 60), ("Munro", 60),
    ("Nolan", 60), ("Sweeney", 60), ("Daly", 60), ("Duffy", 60), ("Fitzpatrick", 60),
    ("Maguire", 60), ("Power", 60), ("McKenna", 54), ("McGowan", 54), ("O'Keefe", 54),
    ("Swift", 45), ("Holden", 45), ("Ramsey", 45), ("Hanson", 45), ("Ingram", 45),
    ("Pickering", 45), ("McFarlane", 45), ("McNally", 45), ("McManus", 45), ("McCormack", 45),
    ("McDermott", 45), ("McLoughlin", 45), ("McIntosh", 45), ("MacKay", 45), ("O'Toole", 45),
    ("O'Rourke", 45), ("Probert", 45), ("Prosser", 45), ("Baird", 45), ("Kavanagh", 45),
    ("Keane", 45), ("Regan", 45), ("Hogan", 45), ("Reilly", 45), ("MacGregor", 36),
    ("McNeil", 36), ("McPherson", 36), ("O'Mahony", 36), ("Kershaw", 36), ("Drummond", 36),
    ("Greenhalgh", 30), ("Bibby", 30), ("Duckworth", 30), ("Heywood", 30), ("Tait", 30),
    ("Houston", 30), ("Hendry", 30), ("Gwynne", 30), ("Gittins", 30), ("Pascoe", 30),
    ("O'Driscoll", 30), ("O'Dowd", 30), ("Mackintosh", 30), ("Entwistle", 24), ("Thwaites", 24),
    ("Lomax", 24), ("MacInnes", 24), ("Rhys", 24), ("Hopkin", 24), ("Prothero", 24),
    ("Tattersall", 18), ("Beddoes", 18), ("Gwilliam", 18), ("Penrose", 18), ("MacPherson", 18),
    ("Sidebottom", 15), ("Ramsbottom", 15), ("Openshaw", 15), ("Lloyd-Jones", 15), ("Tremayne", 12),
    ("Trevithick", 9), ("Nancarrow", 9), ("Wynne-Jones", 9), ("Parry-Jones", 9), ("Owen-Jones", 6),
    ("Chegwidden", 6), ("Polglase", 6), ("ap Rhys", 3), ("ap Gwilym", 3), ("Müller", 9),
    ("Schmidt", 9), ("Fischer", 9), ("Van der Berg", 6), ("Van der Merwe", 6), ("de Villiers", 6),
    ("Botha", 6), ("Fontaine", 9), ("Dubois", 6), ("St John", 6), ("Featherstonehaugh", 3),
];

/// Irish surnames (Ireland-born and Irish Traveller families).
pub const IRISH: Weighted = &[
    ("Murphy", 200), ("Kelly", 180), ("O'Sullivan", 150), ("Walsh", 140), ("O'Brien", 130),
    ("Byrne", 120), ("Ryan", 120), ("O'Connor", 120), ("Smith", 100), ("O'Neill", 100),
    ("O'Reilly", 90), ("Doyle", 90), ("McCarthy", 90), ("Gallagher", 80), ("Kennedy", 70),
    ("Lynch", 70), ("Doherty", 60), ("Murray", 60), ("Quinn", 60), ("Moore", 50),
    ("McLoughlin", 50), ("Connolly", 50), ("Daly", 50), ("O'Connell", 50), ("Burke", 50),
    ("Collins", 50), ("Dunne", 45), ("Brennan", 45), ("Fitzgerald", 45), ("O'Doherty", 40),
    ("Carroll", 40), ("Wilson", 40), ("Campbell", 40), ("Clarke", 40), ("Johnston", 40),
    ("Hughes", 40), ("Nolan", 40), ("Flynn", 40), ("O'Donnell", 40), ("Farrell", 35),
    ("Martin", 35), ("Maguire", 35), ("Duffy", 35), ("Boyle", 35), ("McGrath", 35),
    ("Brady", 35), ("Brown", 30), ("Thompson", 30), ("O'Callaghan", 30), ("Healy", 30),
    ("O'Shea", 30), ("Sweeney", 30), ("Hayes", 30), ("Kavanagh", 30), ("Power", 30),
    ("Moran", 30), ("Casey", 30), ("Foley", 30), ("Fitzpatrick", 30), ("O'Leary", 30),
    ("McMahon", 30), ("Donnelly", 30), ("Ward", 30), ("O'Mahony", 25), ("McDonnell", 25),
    ("Donovan", 25), ("Burns", 25), ("Flanagan", 25), ("Barry", 25), ("Kane", 25),
    ("Griffin", 25), ("Kenny", 25), ("Whelan", 25), ("Lyons", 25), ("McNamara", 25),
    ("Joyce", 25), ("White", 25), ("O'Carroll", 20), ("Stewart", 20), ("Regan", 20),
    ("Cunningham", 20), ("Sheehan", 20), ("Higgins", 20), ("Cullen", 20), ("Keane", 20),
    ("Maher", 20), ("McKenna", 20), ("Hogan", 20), ("O'Keeffe", 20), ("McDermott", 20),
    ("Moloney", 20), ("O'Rourke", 20), ("Buckley", 20), ("McDonagh", 20), ("Connors", 20),
    ("O'Farrell", 15), ("Mullan", 15), ("Robinson", 15), ("Reid", 15), ("Graham", 15),
    ("King", 15), ("Magee", 15), ("McDonald", 15), ("O'Dwyer", 15), ("Delaney", 15),
    ("MacMahon", 10), ("Bell", 10), ("Scott", 10), ("Ó Briain|Ní Bhriain", 4), ("Ó Súilleabháin|Ní Shúilleabháin", 3),
    ("Ó Ceallaigh|Ní Cheallaigh", 3), ("Ó Murchú|Ní Mhurchú", 3), ("Ó Néill|Ní Néill", 3), ("Mac Cárthaigh|Nic Cárthaigh", 2), ("Ó Dónaill|Ní Dhónaill", 2),
    ("Ó Conchúir|Ní Chonchúir", 2), ("Mac Giolla Phádraig|Nic Giolla Phádraig", 1),
];

// ----- East European -----

/// Polish surnames.
pub const POLISH: Weighted = &[
    ("Nowak", 60), ("Kowalski|Kowalska", 45), ("Wiśniewski|Wiśniewska", 35), ("Wójcik", 30), ("Kowalczyk", 30),
    ("Kamiński|Kamińska", 28), ("Lewandowski|Lewandowska", 28), ("Zieliński|Zielińska", 25), ("Szymański|Szymańska", 22), ("Woźniak", 22),
    ("Dąbrowski|Dąbrowska", 20), ("Kozłowski|Kozłowska", 18), ("Jankowski|Jankowska", 16), ("Mazur", 18), ("Kwiatkowski|Kwiatkowska", 15),
    ("Krawczyk", 15), ("Piotrowski|Piotrowska", 14), ("Grabowski|Grabowska", 13), ("Nowakowski|Nowakowska", 12), ("Pawłowski|Pawłowska", 12),
    ("Michalski|Michalska", 12), ("Nowicki|Nowicka", 11), ("Adamczyk", 11), ("Dudek", 11), ("Zając", 11),
    ("Wieczorek", 10), ("Jabłoński|Jabłońska", 10), ("Król", 10), ("Majewski|Majewska", 9), ("Olszewski|Olszewska", 9),
    ("Jaworski|Jaworska", 9), ("Wróbel", 9), ("Malinowski|Malinowska", 9), ("Pawlak", 9), ("Walczak", 8),
    ("Stępień", 8), ("Górski|Górska", 8), ("Sikora", 8), ("Baran", 7), ("Rutkowski|Rutkowska", 7),
];

/// Romanian surnames.
pub const ROMANIAN: Weighted = &[
    ("Popescu", 30), ("Popa", 25), ("Pop", 20), ("Radu", 20), ("Ionescu", 18),
    ("Dumitru", 18), ("Stan", 15), ("Stoica", 14), ("Gheorghe", 14), ("Matei", 10),
    ("Ciobanu", 12), ("Constantin", 12), ("Rusu", 12), ("Munteanu", 12), ("Moldovan", 10),
    ("Florea", 10), ("Lazăr", 8), ("Dinu", 8), ("Marin", 10), ("Tudor", 8),
    ("Oprea", 8), ("Barbu", 8), ("Nistor", 6), ("Dobre", 6), ("Sârbu", 6),
    ("Lungu", 6), ("Rădulescu", 6), ("Ene", 6), ("Țurcanu", 4), ("Mihai", 8),
];

/// Lithuanian and Latvian surnames (married women's forms).
pub const BALTIC: Weighted = &[
    ("Kazlauskas|Kazlauskienė", 10), ("Jankauskas|Jankauskienė", 8), ("Petrauskas|Petrauskienė", 8), ("Stankevičius|Stankevičienė", 7), ("Vasiliauskas|Vasiliauskienė", 6),
    ("Žukauskas|Žukauskienė", 5), ("Butkus|Butkienė", 5), ("Paulauskas|Paulauskienė", 5), ("Urbonas|Urbonienė", 5), ("Kavaliauskas|Kavaliauskienė", 5),
    ("Jonaitis|Jonaitienė", 5), ("Petraitis|Petraitienė", 4), ("Balčiūnas|Balčiūnienė", 4), ("Navickas|Navickienė", 4), ("Ramanauskas|Ramanauskienė", 4),
    ("Bērziņš|Bērziņa", 4), ("Kalniņš|Kalniņa", 3), ("Ozoliņš|Ozoliņa", 3), ("Liepiņš|Liepiņa", 3), ("Krūmiņš|Krūmiņa", 2),
];

/// Slovak, Czech, Hungarian, Bulgarian and Ukrainian surnames.
pub const CENTRAL_EUROPEAN: Weighted = &[
    ("Novák|Nováková", 5), ("Horváth|Horváthová", 6), ("Kováč|Kováčová", 4), ("Svoboda|Svobodová", 3), ("Dvořák|Dvořáková", 3),
    ("Balog|Balogová", 5), ("Lakatoš|Lakatošová", 4), ("Procházka|Procházková", 3), ("Kučera|Kučerová", 3), ("Ivanov|Ivanova", 6),
    ("Georgiev|Georgieva", 4), ("Dimitrov|Dimitrova", 4), ("Petrov|Petrova", 4), ("Todorov|Todorova", 3), ("Stoyanov|Stoyanova", 3),
    ("Nagy", 4), ("Kovács", 4), ("Tóth", 3), ("Szabó", 3), ("Varga", 3),
    ("Farkas", 3), ("Kovalenko", 4), ("Shevchenko", 4), ("Bondarenko", 3), ("Melnyk", 3),
    ("Tkachenko", 3), ("Kravchenko", 3),
];

/// Albanian and Kosovan surnames.
pub const ALBANIAN: Weighted = &[
    ("Hoxha", 6), ("Shehu", 4), ("Krasniqi", 4), ("Gashi", 4), ("Berisha", 4),
    ("Kola", 3), ("Leka", 3), ("Dervishi", 3), ("Marku", 3), ("Prifti", 3),
    ("Hasani", 3), ("Bajrami", 3), ("Morina", 3), ("Kelmendi", 3), ("Dushku", 2),
    ("Çela", 2), ("Lleshi", 2), ("Gjoka", 2),
];

// ----- Southern European -----

/// Portuguese and Madeiran surnames.
pub const PORTUGUESE: Weighted = &[
    ("Silva", 60), ("Santos", 45), ("Ferreira", 35), ("Pereira", 35), ("Oliveira", 30),
    ("Costa", 30), ("Rodrigues", 30), ("Martins", 25), ("Gomes", 22), ("Lopes", 20),
    ("Gonçalves", 20), ("Fernandes", 20), ("Marques", 18), ("Almeida", 18), ("Sousa", 18),
    ("Ribeiro", 16), ("Carvalho", 16), ("da Silva", 15), ("dos Santos", 12), ("Pinto", 12),
    ("Mendes", 12), ("Teixeira", 10), ("Moreira", 10), ("Correia", 10), ("Nunes", 10),
    ("Soares", 10), ("Vieira", 10), ("de Sousa", 8), ("Monteiro", 8), ("Cardoso", 8),
    ("Rocha", 8), ("Freitas", 8), ("Simões", 6), ("Conceição", 5), ("Magalhães", 5),
    ("Brandão", 4), ("de Freitas", 4),
];

/// Italian surnames.
pub const ITALIAN: Weighted = &[
    ("Rossi", 15), ("Russo", 12), ("Ferrari", 10), ("Esposito", 10), ("Romano", 10),
    ("Bianchi", 8), ("Ricci", 8), ("Colombo", 6), ("Marino", 6), ("Greco", 6),
    ("Bruno", 6), ("Gallo", 6), ("Conti", 6), ("De Luca", 6), ("Mancini", 6),
    ("Giordano", 5), ("Rizzo", 5), ("Lombardi", 5), ("Moretti", 5), ("D'Angelo", 5),
    ("D'Amico", 4), ("Di Marco", 4), ("Dell'Aquila", 2), ("Costa", 5), ("Fontana", 4),
];

/// Spanish surnames.
pub const SPANISH: Weighted = &[
    ("García", 12), ("Fernández", 8), ("González", 8), ("Rodríguez", 8), ("López", 8),
    ("Martínez", 8), ("Sánchez", 7), ("Pérez", 7), ("Gómez", 6), ("Jiménez", 5),
    ("Ruiz", 5), ("Hernández", 5), ("Díaz", 5), ("Moreno", 5), ("Muñoz", 4),
    ("Álvarez", 4), ("de la Cruz", 3), ("del Río", 2), ("Romero", 4), ("Navarro", 4),
];

/// Greek and Greek Cypriot surnames.
pub const GREEK: Weighted = &[
    ("Papadopoulos|Papadopoulou", 6), ("Georgiou", 8), ("Nikolaou", 5), ("Christodoulou", 6), ("Konstantinou", 4),
    ("Ioannou", 6), ("Papageorgiou", 4), ("Dimitriou", 4), ("Charalambous", 5), ("Michael", 6),
    ("Antoniou", 5), ("Economou", 4), ("Kyriacou", 5), ("Pappas|Pappa", 3), ("Karagiannis|Karagianni", 2),
    ("Angelopoulos|Angelopoulou", 2), ("Hadjioannou", 2), ("Loizou", 4), ("Constantinou", 5), ("Andreou", 4),
];

/// Caribbean surnames: overwhelmingly British in origin.
pub const CARIBBEAN: Weighted = &[
    ("Campbell", 60), ("Williams", 55), ("Brown", 55), ("Thompson", 45), ("Smith", 45),
    ("Johnson", 40), ("Clarke", 40), ("Reid", 40), ("Robinson", 35), ("Lewis", 30),
    ("Francis", 30), ("Henry", 30), ("Grant", 30), ("Graham", 25), ("Gordon", 25),
    ("Stewart", 25), ("Bailey", 25), ("McKenzie", 25), ("Walker", 25), ("Wright", 25),
    ("Morgan", 20), ("Edwards", 20), ("Richards", 20), ("Allen", 20), ("Powell", 20),
    ("Miller", 20), ("Thomas", 20), ("Spence", 15), ("Ellis", 15), ("Forbes", 15),
    ("Samuels", 15), ("Walters", 15), ("Anderson", 15), ("Bennett", 15), ("Barrett", 15),
    ("Lawrence", 15), ("Blake", 15), ("Joseph", 15), ("Charles", 15), ("James", 15),
    ("Jackson", 15), ("Wilson", 15), ("Brooks", 12), ("Hamilton", 12), ("Nelson", 12),
    ("Morrison", 12), ("Murray", 12), ("Palmer", 12), ("Simpson", 12), ("Douglas", 12),
    ("Daley", 12), ("Hylton", 10), ("Bryan", 10), ("Ferguson", 10), ("Fraser", 10),
    ("Gayle", 10), ("Hinds", 10), ("Hutchinson", 10), ("McFarlane", 10), ("Peters", 10),
    ("McLean", 10), ("Dennis", 8), ("Sinclair", 8), ("Bernard", 8), ("Whyte", 8),
    ("Facey", 6), ("Linton", 6), ("Ricketts", 6), ("Noel", 6), ("Baptiste", 6),
    ("Mullings", 5), ("Dacres", 4), ("St Louis", 3), ("Jean-Baptiste", 3), ("St. Hilaire", 2),
];

// ----- West African -----

/// Yoruba surnames.
pub const YORUBA: Weighted = &[
    ("Adeyemi", 20), ("Adebayo", 15), ("Afolabi", 12), ("Balogun", 12), ("Ojo", 12),
    ("Ogunleye", 10), ("Adeleke", 10), ("Akinola", 10), ("Akande", 10), ("Bello", 10),
    ("Ogundipe", 8), ("Oladipo", 8), ("Olawale", 8), ("Adewale", 8), ("Adekunle", 8),
    ("Adeola", 6), ("Olaniyan", 5), ("Ogunbiyi", 5), ("Oyelaran", 4), ("Oyedepo", 4),
    ("Oyewole", 5), ("Adegoke", 5), ("Oyebanji", 4), ("Odunsi", 3), ("Ajayi", 8),
    ("Ogunsanya", 3), ("Okunola", 3),
];

/// Igbo surnames.
pub const IGBO: Weighted = &[
    ("Okafor", 20), ("Okeke", 15), ("Okonkwo", 15), ("Eze", 15), ("Nwosu", 12),
    ("Obi", 12), ("Nwachukwu", 10), ("Okoro", 10), ("Anyanwu", 8), ("Nwankwo", 8),
    ("Onyeka", 6), ("Ibekwe", 6), ("Obasi", 6), ("Igwe", 6), ("Ugwu", 6),
    ("Okoye", 8), ("Chukwu", 6), ("Nwafor", 5), ("Ezeh", 5), ("Agu", 4),
    ("Nnadi", 4), ("Onwuka", 4), ("Okwu", 3),
];

/// Ghanaian surnames.
pub const GHANAIAN: Weighted = &[
    ("Mensah", 25), ("Boateng", 20), ("Owusu", 20), ("Osei", 18), ("Asante", 15),
    ("Appiah", 12), ("Agyeman", 10), ("Addo", 10), ("Ansah", 10), ("Amoah", 10),
    ("Ofori", 10), ("Opoku", 10), ("Acheampong", 8), ("Darko", 8), ("Frimpong", 8),
    ("Quaye", 5), ("Danso", 6), ("Tetteh", 6), ("Adjei", 8), ("Asamoah", 6),
    ("Boakye", 6), ("Antwi", 6), ("Sarpong", 5), ("Bonsu", 4), ("Amankwah", 4),
    ("Donkor", 4), ("Quartey", 4), ("Lartey", 4), ("Agyei", 5), ("Gyamfi", 4),
];

/// Muslim West African surnames (Sierra Leonean, Gambian, Hausa, Fulani).
pub const WEST_AFRICAN_MUSLIM: Weighted = &[
    ("Kamara", 15), ("Sesay", 12), ("Conteh", 8), ("Bangura", 8), ("Jalloh", 8),
    ("Koroma", 8), ("Kargbo", 5), ("Turay", 5), ("Mansaray", 5), ("Fofanah", 4),
    ("Kanu", 4), ("Barrie", 4), ("Bah", 5), ("Diallo", 5), ("Sow", 3),
    ("Jallow", 4), ("Ceesay", 4), ("Touray", 3), ("Abubakar", 6), ("Musa", 8),
    ("Bello", 6), ("Usman", 4), ("Sanneh", 3), ("Njie", 3),
];

// ----- East African -----

/// Somali (and Sudanese) surnames: usually a grandfather's given name.
pub const SOMALI: Weighted = &[
    ("Mohamed", 120), ("Ahmed", 80), ("Ali", 80), ("Abdi", 70), ("Hassan", 60),
    ("Yusuf", 40), ("Omar", 40), ("Farah", 40), ("Hussein", 35), ("Ibrahim", 35),
    ("Osman", 30), ("Jama", 30), ("Mohamud", 30), ("Abdullahi", 30), ("Warsame", 20),
    ("Aden", 20), ("Ismail", 20), ("Hersi", 15), ("Nur", 15), ("Said", 15),
    ("Elmi", 15), ("Dahir", 15), ("Abdirahman", 15), ("Adan", 15), ("Duale", 12),
    ("Egal", 10), ("Guled", 10), ("Noor", 10), ("Awale", 10), ("Hirsi", 10),
    ("Shire", 10), ("Isse", 10), ("Barre", 8), ("Gedi", 8), ("Sheikh", 8),
    ("Abdalla", 8),
];

/// Eritrean and Ethiopian surnames: usually the father's given name.
pub const HABESHA: Weighted = &[
    ("Tesfay", 8), ("Haile", 8), ("Gebremedhin", 6), ("Tekle", 6), ("Kidane", 6),
    ("Berhane", 6), ("Mehari", 5), ("Yohannes", 5), ("Tsegay", 5), ("Ghebreyesus", 4),
    ("Woldemariam", 4), ("Ghebremichael", 4), ("Asmerom", 4), ("Tesfamariam", 4), ("Habte", 5),
    ("Gebru", 5), ("Negash", 4), ("Bekele", 5), ("Tadesse", 5), ("Girma", 4),
    ("Alemu", 4), ("Kebede", 4), ("Desta", 4),
];

// ----- South Asian -----

/// Pakistani surnames.
pub const PAKISTANI: Weighted = &[
    ("Khan", 300), ("Hussain", 250), ("Ahmed", 180), ("Ali", 180), ("Iqbal", 80),
    ("Akhtar", 80), ("Mahmood", 80), ("Shah", 60), ("Malik", 60), ("Rehman", 50),
    ("Butt", 50), ("Rahman", 40), ("Aslam", 40), ("Anwar", 40), ("Ashraf", 40),
    ("Aziz", 35), ("Bashir", 35), ("Hanif", 35), ("Qureshi", 35), ("Akram", 35),
    ("Javed", 30), ("Latif", 30), ("Nawaz", 30), ("Rafiq", 30), ("Rashid", 30),
    ("Riaz", 30), ("Chaudhry", 30), ("Karim", 25), ("Majid", 25), ("Mirza", 25),
    ("Raza", 25), ("Saleem", 25), ("Sadiq", 25), ("Sharif", 25), ("Yousaf", 25),
    ("Zaman", 25), ("Arshad", 25), ("Siddique", 20), ("Sultan", 20), ("Hameed", 20),
    ("Mehmood", 20), ("Shahzad", 20), ("Tariq", 20), ("Chaudhary", 15), ("Ghafoor", 15),
    ("Ishaq", 15), ("Jamil", 15), ("Mughal", 15), ("Parvez", 15), ("Shafiq", 15),
    ("Younis", 15), ("Zafar", 15), ("Ul-Haq", 10), ("Ul Hassan", 5),
];

/// Bangladeshi surnames (Sylheti families predominate in England).
pub const BANGLADESHI: Weighted = &[
    ("Ahmed", 150), ("Ali", 130), ("Uddin", 120), ("Miah", 120), ("Rahman", 120),
    ("Islam", 100), ("Hussain", 80), ("Khan", 50), ("Chowdhury", 50), ("Hoque", 40),
    ("Alam", 40), ("Hossain", 40), ("Haque", 30), ("Choudhury", 30), ("Mia", 30),
    ("Karim", 20), ("Akhtar", 20), ("Amin", 20), ("Hasan", 20), ("Mohammed", 20),
    ("Mahmud", 15), ("Kabir", 15), ("Rashid", 15), ("Siddique", 15), ("Hassan", 15),
    ("Sarkar", 10), ("Talukdar", 10), ("Bhuiyan", 10), ("Mannan", 10), ("Majumder", 8),
    ("Das", 8), ("Roy", 8), ("Mollah", 8), ("Matin", 8), ("Mostafa", 8),
    ("Jalal", 8), ("Biswas", 6), ("Akand", 5), ("Shikder", 5),
];

// ----- Indian -----

/// Sikh surnames: Singh for men, Kaur for women, or a clan name.
pub const SIKH: Weighted = &[
    ("Singh|Kaur", 400), ("Gill", 50), ("Sandhu", 40), ("Sidhu", 30), ("Dhillon", 30),
    ("Grewal", 20), ("Dhaliwal", 20), ("Johal", 15), ("Bains", 15), ("Sahota", 12),
    ("Atwal", 10), ("Virdi", 10), ("Kang", 10), ("Mann", 10), ("Randhawa", 10),
    ("Sanghera", 8), ("Bassi", 8), ("Hayer", 6), ("Sohal", 6), ("Kalsi", 6),
    ("Bhogal", 5), ("Bhamra", 4), ("Sehmi", 4), ("Chahal", 6), ("Aulakh", 6),
    ("Uppal", 6), ("Matharu", 5), ("Takhar", 5), ("Hundal", 5), ("Purewal", 5),
    ("Basra", 4),
];

/// Gujarati surnames (Hindu and Muslim).
pub const GUJARATI: Weighted = &[
    ("Patel", 400), ("Shah", 40), ("Mistry", 30), ("Parmar", 30), ("Solanki", 15),
    ("Makwana", 10), ("Chavda", 8), ("Thakkar", 10), ("Pandya", 8), ("Lad", 8),
    ("Joshi", 15), ("Mehta", 20), ("Desai", 20), ("Chauhan", 15), ("Vaghela", 6),
    ("Rathod", 8), ("Parekh", 8), ("Amin", 8), ("Trivedi", 6), ("Bhatt", 8),
    ("Dave", 6), ("Vyas", 5), ("Gohil", 5), ("Jadeja", 4), ("Kotecha", 5),
    ("Lakhani", 5), ("Mandalia", 3), ("Raval", 4), ("Tailor", 5), ("Ruparelia", 3),
];

/// Other Indian surnames (Punjabi Hindu, North, East and South Indian).
pub const INDIAN_OTHER: Weighted = &[
    ("Sharma", 60), ("Kumar", 60), ("Gupta", 25), ("Verma", 15), ("Jain", 10),
    ("Kapoor", 12), ("Khanna", 10), ("Malhotra", 10), ("Chopra", 10), ("Bhatia", 10),
    ("Arora", 15), ("Agarwal", 8), ("Nair", 10), ("Pillai", 8), ("Rao", 10),
    ("Reddy", 8), ("Iyer", 5), ("Menon", 6), ("Lal", 10), ("Ram", 8),
    ("Mehra", 6), ("Saxena", 5), ("Mishra", 6), ("Pandey", 6), ("Yadav", 5),
    ("Chatterjee", 5), ("Banerjee", 5), ("Mukherjee", 5), ("Ghosh", 5), ("Bose", 4),
    ("Krishnan", 5), ("Subramaniam", 4), ("Rai", 8), ("Bhatti", 5),
];

/// Goan and other Indian Catholic surnames.
pub const GOAN: Weighted = &[
    ("D'Souza", 12), ("D'Mello", 4), ("D'Cruz", 4), ("Fernandes", 8), ("Pereira", 5),
    ("Rodrigues", 6), ("D'Costa", 4), ("Gomes", 4), ("Dias", 5), ("Pinto", 4),
    ("Menezes", 4), ("Coutinho", 3), ("Lobo", 3), ("Noronha", 3), ("Colaco", 2),
    ("Furtado", 3), ("D'Silva", 3), ("Sequeira", 3), ("Vaz", 4),
];

// ----- Chinese -----

/// Hong Kong and Cantonese surnames.
pub const CANTONESE: Weighted = &[
    ("Chan", 80), ("Wong", 80), ("Lee", 70), ("Cheung", 40), ("Lau", 40),
    ("Ng", 40), ("Lam", 35), ("Leung", 30), ("Ho", 30), ("Yeung", 20),
    ("Chow", 20), ("Cheng", 20), ("Tang", 15), ("Kwok", 15), ("Tsang", 15),
    ("Lai", 15), ("Tam", 15), ("Tse", 12), ("Yip", 12), ("Fung", 12),
    ("Mak", 12), ("Lo", 12), ("Chu", 10), ("Kwan", 10), ("Siu", 8),
    ("Choi", 8), ("Poon", 8), ("Man", 8), ("Au-Yeung", 5), ("Szeto", 4),
    ("Shek", 4), ("Chung", 10), ("Hui", 8), ("Tong", 6), ("Law", 8),
    ("Lui", 6), ("Pang", 6), ("Fong", 6), ("So", 5), ("Yuen", 6),
    ("Mok", 5), ("Chiu", 6), ("Ko", 5),
];

/// Mainland Chinese surnames (pinyin).
pub const MANDARIN: Weighted = &[
    ("Wang", 60), ("Li", 60), ("Zhang", 50), ("Liu", 40), ("Chen", 50),
    ("Yang", 25), ("Huang", 20), ("Zhao", 15), ("Wu", 20), ("Zhou", 15),
    ("Xu", 15), ("Sun", 12), ("Ma", 12), ("Zhu", 12), ("Hu", 12),
    ("Guo", 10), ("He", 12), ("Gao", 10), ("Lin", 15), ("Luo", 8),
    ("Zheng", 10), ("Liang", 10), ("Xie", 8), ("Song", 6), ("Tang", 6),
    ("Han", 6), ("Feng", 5), ("Deng", 5), ("Cao", 5), ("Peng", 5),
    ("Zeng", 4), ("Xiao", 4), ("Tian", 4), ("Dong", 4), ("Pan", 4),
    ("Yuan", 4), ("Cai", 4), ("Jiang", 5), ("Yu", 6), ("Du", 4),
    ("Ye", 4), ("Ouyang", 2),
];

// ----- Middle East -----

/// Arab surnames (Iraqi, Syrian, Egyptian, Libyan, Yemeni, Sudanese), with
/// some Afghan names recorded under "Other".
pub const ARAB: Weighted = &[
    ("Ahmed", 50), ("Ali", 40), ("Mohamed", 40), ("Hassan", 35), ("Mohammed", 30),
    ("Hussein", 30), ("Ibrahim", 25), ("Abdullah", 20), ("Mahmoud", 20), ("Mustafa", 20),
    ("Saleh", 15), ("Khalil", 15), ("Saeed", 15), ("Abbas", 15), ("Omar", 15),
    ("Mansour", 12), ("Suleiman", 12), ("Yousef", 12), ("Haddad", 10), ("Nasser", 10),
    ("Hamad", 10), ("Jaber", 10), ("Karim", 10), ("Aziz", 10), ("Haidar", 10),
    ("Qasim", 10), ("Othman", 10), ("Salem", 10), ("Ahmadi", 10), ("Al-Sayed", 8),
    ("Al-Hassan", 8), ("Al-Ali", 8), ("Darwish", 8), ("Farouk", 8), ("Awad", 8),
    ("Kassem", 8), ("Rahimi", 8), ("Karimi", 8), ("El-Masri", 6), ("El-Sayed", 6),
    ("Naji", 6), ("Fadel", 6), ("Khoury", 6), ("Nassar", 6), ("Hakimi", 6),
    ("Safi", 6), ("Noori", 6), ("Abdel-Rahman", 5), ("Al-Jabouri", 5), ("Al-Obaidi", 5),
    ("Al-Tamimi", 5), ("Haidari", 5), ("Al-Rubaie", 4), ("Al-Azzawi", 4), ("Al-Amin", 4),
    ("Al-Khatib", 4), ("Al-Najjar", 4), ("Popal", 4), ("Stanikzai", 4), ("Sultani", 4),
    ("Abu Bakr", 3), ("Al Shammari", 3),
];

/// Turkish, Turkish Cypriot and Kurdish surnames.
pub const TURKISH: Weighted = &[
    ("Yılmaz", 50), ("Kaya", 40), ("Demir", 40), ("Şahin", 35), ("Çelik", 30),
    ("Yıldız", 30), ("Yıldırım", 25), ("Öztürk", 25), ("Aydın", 25), ("Özdemir", 25),
    ("Arslan", 20), ("Doğan", 20), ("Kılıç", 15), ("Aslan", 15), ("Çetin", 15),
    ("Kara", 15), ("Kurt", 15), ("Koç", 12), ("Özkan", 12), ("Şimşek", 12),
    ("Polat", 12), ("Korkmaz", 10), ("Karaca", 10), ("Erdoğan", 10), ("Güneş", 10),
    ("Aksoy", 10), ("Bulut", 10), ("Ali", 10), ("Mehmet", 10), ("Tekin", 8),
    ("Yücel", 8), ("Keskin", 8), ("Turan", 8), ("Avcı", 8), ("Hassan", 8),
    ("Ibrahim", 8), ("Mustafa", 8), ("Ahmet", 8), ("Güler", 8), ("Akgün", 6),
    ("Ekinci", 6), ("Altun", 6), ("Baran", 6), ("Tunç", 6), ("Acar", 6),
];

/// Surnames borne only by women. Bangladeshi and Pakistani women,
/// especially older women, are often recorded as Begum, Khatun or Bibi
/// rather than under a family name.
pub const BANGLADESHI_WOMEN: Weighted = &[("Begum", 70), ("Khatun", 20), ("Sultana", 10)];
/// See [`BANGLADESHI_WOMEN`].
pub const PAKISTANI_WOMEN: Weighted = &[("Bibi", 60), ("Begum", 30), ("Kausar", 10)];

// ---------------------------------------------------------------------------
// Parts for rare-surname synthesis
// ---------------------------------------------------------------------------

/// English toponymic first elements.
pub const BRITISH_PREFIXES: &[&str] = &[
    "Ash", "Brad", "Pen", "Hal", "Whit", "Wood", "Thorn", "Black", "Brook", "Bur",
    "Cal", "Cart", "Chad", "Chester", "Clay", "Cot", "Crab", "Crom", "Dun", "East",
    "Elm", "Fair", "Far", "Fen", "Gold", "Gras", "Green", "Had", "Ham", "Hart",
    "Hay", "Hol", "Horn", "Kings", "Lang", "Lind", "Lock", "Long", "Marsh", "Mid",
    "Mill", "Moss", "Nor", "Oak", "Old", "Pick", "Ram", "Red", "Ring", "Rock",
    "Rose", "Rush", "Sand", "Shel", "Shep", "Stan", "Stock", "Stone", "Sut", "Tal",
    "Wad", "Wal", "War", "Wes", "Wick", "Wil", "Win", "Wor", "Yar", "Al",
    "Ark", "Bal", "Bark", "Bel", "Bick", "Bram", "Brock", "Cud", "Dal", "Ed",
    "Gar", "Hather", "Kirk", "Knot", "Lan", "Pem", "Pres", "Scar", "Sel", "Sher",
    "Stain", "Swin", "Tre", "Pol", "Ab", "Buck", "Cran", "Dray", "Ever", "Frog",
];

/// Optional linking elements between a British prefix and suffix (mostly
/// none): Ash-en-worth, Brad-ing-ley. They multiply the rare-name space so
/// that, as in real data, most rare surnames are shared by few people.
pub const BRITISH_LINKS: &[&str] = &["", "", "", "", "en", "ing", "er", "s", "el", "in", "ern"];

/// English toponymic second elements.
pub const BRITISH_SUFFIXES: &[&str] = &[
    "worth", "shaw", "hallow", "ton", "ley", "ford", "by", "ham", "well", "wood",
    "field", "bridge", "combe", "den", "dale", "thwaite", "hurst", "stead", "more", "ridge",
    "croft", "ington", "ock", "man", "er", "wick", "lock", "cott", "bury", "land",
    "hill", "mere", "stone", "sley", "brook", "fold", "gate", "holme", "borough", "kin",
    "ney", "nell", "low", "cliffe", "ings", "stow", "grave", "thorpe", "wright", "ward",
];

/// Scottish/Irish stems taking Mc or Mac.
pub const MAC_STEMS: &[&str] = &[
    "Alister", "Kendrick", "Gowan", "Ilroy", "Lachlan", "Naughton", "Crindle", "Fadzean", "Gillivray", "Kinlay",
    "Murdo", "Phail", "Quarrie", "Tavish", "Whirter", "Caffrey", "Cardle", "Clymont", "Corquodale", "Dougall",
    "Ewan", "Geachie", "Glashan", "Innes", "Kerrow", "Lellan", "Millan", "Nab", "Onie", "Rae",
    "Sporran", "Taggart", "Vicar", "Ateer", "Briar", "Cabe", "Enaney", "Garrity", "Howell", "Keever",
];

/// Irish surname stems.
pub const IRISH_STEMS: &[&str] = &[
    "Cull", "Dono", "Flan", "Gall", "Hanr", "Kenn", "Lorc", "Mull", "Rod", "Shaugh",
    "Bran", "Coll", "Dunph", "Finn", "Garr", "Hool", "Kirw", "Lenn", "Mor", "Nagh",
    "Riord", "Scan", "Tier", "Whel", "Cost", "Dev", "Gorm", "Hann", "Kinn", "Loughr",
];

/// Irish surname endings.
pub const IRISH_ENDINGS: &[&str] = &[
    "ahan", "ane", "ery", "igan", "ihy", "ity", "oran", "ahy", "erty", "ally", "ney", "agh", "in", "an",
];

/// Polish stems taking -ski / -ska.
pub const POLISH_SKI_STEMS: &[&str] = &[
    "Kowal", "Wiśniew", "Kamiń", "Lewandow", "Zieliń", "Szymań", "Dąbrow", "Kozłow", "Jankow", "Wojciechow",
    "Kwiatkow", "Grabow", "Pawłow", "Michal", "Wróblew", "Jabłoń", "Majew", "Olszew", "Malinow", "Gór",
    "Rutkow", "Ostrow", "Borkow", "Sadow", "Zalew", "Brzeziń", "Gajew", "Lipiń", "Szczepań", "Dobrow",
    "Sokołow", "Tomaszew", "Czarnow", "Leśniew", "Kalinow", "Przybyl", "Wasilew", "Zakrzew", "Sobań", "Marciń",
];

/// Polish stems taking other (ungendered) endings.
pub const POLISH_STEMS: &[&str] = &[
    "Kowal", "Wój", "Baran", "Krawc", "Adam", "Mar", "Pawl", "Walcz", "Szyman", "Wiecz",
    "Kaczmar", "Mazur", "Grab", "Kub", "Jasi", "Bart", "Stas", "Lis", "Dud", "Pietr",
    "Tomasz", "Wawrzyn", "Kwiat", "Zaj", "Sob", "Czarn", "Biel", "Woj", "Gaw", "Sik",
];

/// Ungendered Polish endings.
pub const POLISH_ENDINGS: &[&str] = &["czyk", "ak", "ek", "iak", "uk", "ik", "ewicz", "owicz", "czak", "al"];

/// Romanian stems.
pub const ROMANIAN_STEMS: &[&str] = &[
    "Pop", "Ion", "Dumitr", "Stoian", "Constantin", "Radul", "Mihail", "Munt", "Vasil", "Nicol",
    "Stan", "Marin", "Tudor", "Petr", "Georg", "Dobr", "Cojoc", "Olt", "Zamfir", "Negr",
    "Rus", "Cioban", "Pârv", "Dragom", "Iord", "Lup", "Mocan", "Grigor", "Manol", "Toma",
];

/// Romanian endings.
pub const ROMANIAN_ENDINGS: &[&str] = &["escu", "eanu", "aru", "ici", "oiu", "ea", "anu"];

/// Lithuanian stems.
pub const LITHUANIAN_STEMS: &[&str] = &[
    "Kazl", "Jank", "Petr", "Vasili", "Žuk", "Paul", "Kavali", "Rimk", "Balt", "Stank",
    "Jon", "Mick", "Raman", "Sadausk", "Bal", "Gud", "Adom", "Kaz", "Nav", "Urb",
];

/// Lithuanian masculine endings with the married woman's form.
pub const LITHUANIAN_ENDINGS: &[(&str, &str)] = &[
    ("auskas", "auskienė"), ("evičius", "evičienė"), ("aitis", "aitienė"),
    ("ūnas", "ūnienė"), ("onis", "onienė"), ("ėnas", "ėnienė"), ("ulis", "ulienė"),
];

/// Bulgarian stems.
pub const BULGARIAN_STEMS: &[&str] = &[
    "Ivan", "Petr", "Georgi", "Dimitr", "Stoyan", "Todor", "Nikol", "Angel", "Hrist", "Kol",
    "Stef", "Yord", "Pen", "Mar", "Vas", "Iliy", "Atanas", "Kost", "Mih", "Ras",
];

/// Portuguese stems.
pub const PORTUGUESE_STEMS: &[&str] = &[
    "Carval", "Figu", "Silv", "More", "Olive", "Pere", "Teix", "Ferr", "Barr", "Card",
    "Mach", "Mont", "Sarm", "Cerqu", "Amar", "Queir", "Bast", "Frag", "Guim", "Vasc",
];

/// Portuguese endings.
pub const PORTUGUESE_ENDINGS: &[&str] = &["eira", "eiro", "ado", "inho", "ães", "oso", "al", "ento", "elo", "ista"];

/// Italian stems.
pub const ITALIAN_STEMS: &[&str] = &[
    "Ross", "Bianc", "Ferr", "Russ", "Espos", "Marin", "Gall", "Cont", "Mancin", "Lombard",
    "Morett", "Barbier", "Fontan", "Santor", "Pellegr", "Rinald", "Carbon", "Sorrent", "Ricc", "Lucches",
    "Cattan", "Benedett", "Palumb", "Vital", "Cap", "Franc", "Grass", "Mart", "Pagan", "Bell",
];

/// Italian endings.
pub const ITALIAN_ENDINGS: &[&str] = &["ini", "etti", "elli", "one", "ucci", "otti", "ano", "ese", "iero", "ato", "i", "o"];

/// Spanish stems.
pub const SPANISH_STEMS: &[&str] = &[
    "Alcal", "Ballest", "Carrasc", "Escob", "Fuent", "Galleg", "Herr", "Lozan", "Medin", "Navarr",
    "Olmed", "Pared", "Quint", "Rivad", "Salaz", "Toled", "Valverd", "Zamor", "Cabr", "Montalb",
];

/// Spanish endings.
pub const SPANISH_ENDINGS: &[&str] = &["ero", "edo", "ano", "illa", "ales", "ejo", "era", "ar", "o", "es"];

/// Greek stems.
pub const GREEK_STEMS: &[&str] = &[
    "Papad", "Georg", "Nikol", "Christod", "Konstant", "Dimitr", "Vasil", "Anagn", "Karag", "Theodor",
    "Stavr", "Kyriak", "Michail", "Panag", "Spyr", "Athan", "Chatz", "Lamb", "Makr", "Tsak",
];

/// Greek masculine endings with the feminine form.
pub const GREEK_ENDINGS: &[(&str, &str)] = &[
    ("opoulos", "opoulou"), ("idis", "idou"), ("akis", "aki"), ("ou", "ou"), ("atos", "atou"), ("iadis", "iadou"),
];

/// Yoruba first elements.
pub const YORUBA_PREFIXES: &[&str] = &[
    "Ade", "Olu", "Ola", "Oye", "Aki", "Ayo", "Bade", "Fola", "Ogun", "Oni",
    "Ode", "Ife", "Abi", "Oke", "Omo", "Ige", "Fadi", "Aje", "Egun", "Ojo",
];

/// Yoruba second elements.
pub const YORUBA_SUFFIXES: &[&str] = &[
    "bayo", "kunle", "wale", "yemi", "tunde", "femi", "sanya", "dipo", "lade", "tola",
    "seye", "banjo", "jide", "leke", "doyin", "mola", "sola", "bisi", "runmi", "wumi",
    "kanmi", "toye", "lana", "dele", "gbemi",
];

/// Igbo first elements.
pub const IGBO_PREFIXES: &[&str] = &[
    "Chukwu", "Nwa", "Oko", "Eze", "Obi", "Ike", "Onye", "Uzo", "Ugo", "Ama", "Ndu", "Anya", "Oge", "Ibe", "Nna",
];

/// Igbo second elements.
pub const IGBO_SUFFIXES: &[&str] = &[
    "emeka", "nna", "nkwo", "chukwu", "dike", "oha", "dinma", "kwe", "ji", "agu",
    "nwa", "eke", "ebuka", "eze", "obi", "uche", "ama", "nso", "kpa", "lu",
];

/// Akan (Ghanaian) first elements.
pub const AKAN_PREFIXES: &[&str] = &[
    "Asa", "Owu", "Boa", "Agye", "Appi", "Acheam", "Fri", "Ofo", "Opo", "Adu",
    "Ase", "Kye", "Nti", "Dar", "Oppo", "Amo", "Anto", "Osa", "Yebo", "Kuffu",
];

/// Akan second elements.
pub const AKAN_SUFFIXES: &[&str] = &[
    "ah", "su", "teng", "man", "pong", "ri", "ku", "amah", "do", "fo", "nsah", "nkwah", "nte", "mpong", "kye", "ko",
];

/// Somali compound-name second elements (after "Abdi").
pub const SOMALI_ABDI: &[&str] = &[
    "rahman", "kadir", "rizak", "aziz", "wali", "salam", "nasir", "shakur", "fatah", "hakim",
    "qani", "malik", "rashid", "karim", "jabar", "wahab", "nur", "fitah", "kani", "hamid",
];

/// Eritrean/Ethiopian compound-name first elements.
pub const HABESHA_PREFIXES: &[&str] = &[
    "Gebre", "Ghebre", "Tesfa", "Haile", "Wolde", "Habte", "Kidane", "Tekle", "Berhane", "Fisseha", "Zere", "Gebru",
];

/// Eritrean/Ethiopian compound-name second elements.
pub const HABESHA_SUFFIXES: &[&str] = &[
    "mariam", "michael", "selassie", "giorgis", "yesus", "medhin", "hiwet", "tsion", "kidan", "gabriel", "mikael", "ab",
];

/// Pakistani given-name stems used as family names.
pub const PAKISTANI_STEMS: &[&str] = &[
    "Zia", "Kalim", "Sami", "Ehsan", "Inam", "Kifayat", "Hidayat", "Rahmat", "Azmat", "Barkat",
    "Sadaqat", "Liaqat", "Izhar", "Ikram", "Shafqat", "Nisar", "Mumtaz", "Fiaz", "Imtiaz", "Shahbaz",
    "Ishtiaq", "Mushtaq", "Ashfaq", "Aftab", "Mehtab", "Wajid", "Nasim", "Farooq", "Khurshid", "Maqsood",
];

/// Pakistani family-name endings (empty: the given name on its own).
pub const PAKISTANI_ENDINGS: &[&str] = &["", "", "", "ullah", "uddin", "zada", "i"];

/// Bangladeshi name stems.
pub const BANGLADESHI_STEMS: &[&str] = &[
    "Ashraf", "Kamal", "Shams", "Mostafiz", "Nur", "Hasan", "Badr", "Mizan", "Monir", "Habib",
    "Atiq", "Shafiq", "Anis", "Rafiq", "Saif", "Jahir", "Mahfuz", "Obaid", "Jalal", "Fazl",
];

/// Bangladeshi name endings.
pub const BANGLADESHI_ENDINGS: &[&str] = &[
    "uzzaman", "uddin", "ur Rahman", "ul Islam", "ul Haque", "ul Alam", "ul Hoque", "ul Amin",
];

/// Indian (Punjabi/Gujarati/North Indian) first elements.
pub const INDIAN_PREFIXES: &[&str] = &[
    "Agar", "Khand", "Chaw", "Dhali", "Sabhar", "Mal", "Ahlu", "Kapa", "Chandr", "Bhand",
    "Tanej", "Jaiswa", "Bhat", "Thak", "Sach", "Raj", "Dhan", "Kul", "Mist", "Sol",
    "Bhu", "Sod", "Pur", "Goy", "Ved", "Lakh", "Mehr", "Path", "Jadh", "Rath",
];

/// Indian second elements.
pub const INDIAN_SUFFIXES: &[&str] = &[
    "wal", "wala", "ani", "ia", "elia", "iya", "dia", "ari", "kar", "an", "otra", "ra", "al", "ey", "la", "dev", "hotra",
];

/// Cantonese-style romanised initials.
pub const CHINESE_INITIALS: &[&str] = &["Ch", "F", "H", "K", "Kw", "L", "M", "N", "Ng", "P", "S", "Sh", "T", "Ts", "W", "Y"];

/// Cantonese-style romanised finals.
pub const CHINESE_FINALS: &[&str] = &[
    "ai", "an", "ang", "au", "ee", "eng", "ing", "o", "oh", "ok", "ong", "ui", "un", "ung", "uk", "ew", "oi", "ik", "ip", "it",
];

/// Arabic nisba stems (take a final "i").
pub const ARAB_NISBA_STEMS: &[&str] = &[
    "Baghdad", "Tamim", "Shammar", "Obaid", "Jubour", "Rubai", "Hashem", "Zubaid", "Azzaw", "Dulaim",
    "Saad", "Khafaj", "Malik", "Bayat", "Janab", "Masr", "Halab", "Homs", "Hamaw", "Yaman",
    "Hadram", "Qahtan", "Ghamd", "Zahran", "Utaib", "Harb", "Mutair", "Amir", "Kaab", "Mansour",
];

/// Second elements of Abdel- names.
pub const ARAB_ABDEL: &[&str] = &[
    "Aziz", "Rahman", "Hamid", "Karim", "Latif", "Majid", "Nour", "Qader", "Wahab", "Salam",
    "Fattah", "Halim", "Hadi", "Jabbar", "Razzaq", "Ghani", "Hafiz", "Monem", "Rahim", "Sattar",
];

/// Turkish surname first elements.
pub const TURKISH_PREFIXES: &[&str] = &[
    "Ak", "Kara", "Öz", "Demir", "Yıldız", "Çelik", "Er", "Gül", "Al", "Bay",
    "Kaya", "Yücel", "Gök", "Türk", "Taş", "Ay", "Can", "Gün", "Kurt", "Şen",
];

/// Turkish surname second elements.
pub const TURKISH_SUFFIXES: &[&str] = &[
    "kaya", "demir", "türk", "oğlu", "taş", "soy", "can", "han", "er", "göz", "tekin", "yurt", "dağ", "öz", "kan", "san",
];

/// Albanian surname stems.
pub const ALBANIAN_STEMS: &[&str] = &[
    "Hox", "Krasn", "Beris", "Gash", "Sheh", "Kol", "Lek", "Dervish", "Mark", "Prift",
    "Bajram", "Morin", "Hasan", "Kelmend", "Dushk", "Llesh", "Gjok", "Rexh", "Zeq", "Muj",
];

/// Albanian surname endings.
pub const ALBANIAN_ENDINGS: &[&str] = &["aj", "i", "aku", "ja", "iqi", "ollari", "ani", "a"];

/// Sierra Leonean and Gambian surname first elements.
pub const MANDE_PREFIXES: &[&str] = &[
    "Kar", "Kor", "Man", "Fof", "Tur", "Ban", "Kab", "Sum", "Kal", "Dum", "Sam", "Jab", "Kon", "Sil", "Tar",
];

/// Sierra Leonean and Gambian surname second elements.
pub const MANDE_SUFFIXES: &[&str] = &["gbo", "oma", "saray", "anah", "ay", "gura", "ba", "ah", "lie", "teh", "neh", "bay"];

/// Sikh clan-name first elements.
pub const SIKH_PREFIXES: &[&str] = &[
    "Dhali", "Sand", "Grew", "Dhil", "Aul", "Bas", "Chah", "Deol", "Garch", "Hun",
    "Jagg", "Kal", "Man", "Nij", "Pann", "Rand", "Sah", "Thin", "Upp", "Vir",
];

/// Sikh clan-name second elements.
pub const SIKH_SUFFIXES: &[&str] = &["wal", "hu", "al", "lon", "akh", "ra", "ota", "di", "ar", "dal", "jar", "sra"];

/// Pinyin initials for mainland surnames.
pub const PINYIN_INITIALS: &[&str] = &[
    "B", "P", "M", "F", "D", "T", "N", "L", "G", "K", "H", "Zh", "Ch", "Sh", "R", "Z", "C", "S", "Y", "W",
];

/// Pinyin finals after the initials above.
pub const PINYIN_FINALS: &[&str] = &[
    "a", "ai", "an", "ang", "ao", "e", "ei", "en", "eng", "ong", "ou", "u", "uan", "ui", "un", "uo",
];

/// The palatal initials J, Q, X (which take i- and u- finals only).
pub const PINYIN_PALATALS: &[&str] = &["J", "Q", "X"];

/// Finals after J, Q, X.
pub const PINYIN_PALATAL_FINALS: &[&str] = &[
    "i", "ia", "ian", "iang", "iao", "ie", "in", "ing", "iong", "iu", "u", "uan", "ue", "un",
];
