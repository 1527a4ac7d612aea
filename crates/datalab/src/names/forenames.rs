//! First-name tables: `(name, relative weight)`.
//!
//! Hand-written synthetic approximations of first-name frequencies in each
//! naming tradition as seen in England and Wales; not copied from any
//! register. Weights are relative within one table only.

/// Table of names with relative weights.
pub type Weighted = &'static [(&'static str, u32)];

// ---------------------------------------------------------------------------
// British, by birth era
// ---------------------------------------------------------------------------

/// British men born before 1970.
pub const BRITISH_MALE_PRE1970: Weighted = &[
    ("David", 430), ("John", 380), ("Michael", 320), ("Paul", 300), ("Peter", 270),
    ("Stephen", 260), ("Robert", 250), ("Mark", 230), ("Richard", 210), ("Andrew", 200),
    ("Christopher", 180), ("Ian", 175), ("Alan", 170), ("Anthony", 165), ("Gary", 160),
    ("Kevin", 155), ("Steven", 150), ("Martin", 145), ("Philip", 140), ("Keith", 135),
    ("Brian", 130), ("William", 128), ("James", 126), ("Thomas", 120), ("Colin", 118),
    ("Graham", 115), ("Nigel", 110), ("Trevor", 105), ("Terence", 100), ("Kenneth", 98),
    ("Raymond", 95), ("Barry", 94), ("Derek", 92), ("Neil", 90), ("Simon", 90),
    ("Dennis", 85), ("Geoffrey", 82), ("Roger", 80), ("Malcolm", 80), ("George", 78),
    ("Edward", 76), ("Patrick", 74), ("Timothy", 72), ("Nicholas", 70), ("Jonathan", 66),
    ("Stuart", 66), ("Tony", 64), ("Terry", 62), ("Gordon", 60), ("Ronald", 60),
    ("Frank", 58), ("Leslie", 56), ("Roy", 55), ("Clive", 54), ("Russell", 52),
    ("Adrian", 52), ("Wayne", 50), ("Dean", 48), ("Darren", 45), ("Alexander", 45),
    ("Douglas", 44), ("Howard", 42), ("Gerald", 40), ("Leonard", 40), ("Norman", 40),
    ("Charles", 40), ("Joseph", 38), ("Francis", 36), ("Harry", 35), ("Eric", 35),
    ("Allan", 34), ("Donald", 34), ("Ernest", 30), ("Arthur", 30), ("Alfred", 28),
    ("Albert", 26), ("Frederick", 26), ("Henry", 25), ("Lawrence", 25), ("Vincent", 24),
    ("Victor", 24), ("Bernard", 24), ("Stanley", 22), ("Jeffrey", 22), ("Alistair", 20),
    ("Hugh", 18), ("Duncan", 20), ("Gavin", 18), ("Lee", 20), ("Glenn", 20),
    ("Carl", 22), ("Craig", 18), ("Kelvin", 14), ("Melvyn", 14), ("Robin", 18),
    ("Rodney", 14), ("Jeremy", 16), ("Maurice", 15), ("Ralph", 14), ("Sidney", 12),
    ("Harold", 14), ("Walter", 12), ("Jack", 14), ("Dominic", 12), ("Matthew", 14),
    ("Jason", 12), ("Shaun", 14), ("Clifford", 14), ("Gareth", 16), ("Glyn", 12),
    ("Huw", 10), ("Emlyn", 8), ("Hamish", 8), ("Iain", 14), ("Alasdair", 8),
    ("Julian", 14), ("Lionel", 8), ("Desmond", 12), ("Cyril", 10), ("Percy", 6),
    ("Rupert", 6), ("Dale", 10), ("Sean", 14), ("Phillip", 20), ("Jeffery", 6),
    ("Neville", 10), ("Graeme", 12), ("Brendan", 8), ("Alec", 8), ("Bryan", 10),
    ("Reginald", 8), ("Wilfred", 5), ("Conrad", 4), ("Barrie", 6), ("Glen", 10),
    ("Owen", 8), ("Gwyn", 6), ("D'Arcy", 1), ("Lloyd", 8), ("Jon", 6),
];

/// British men born 1970-1984.
pub const BRITISH_MALE_1970_1984: Weighted = &[
    ("Paul", 300), ("Mark", 290), ("David", 280), ("Christopher", 270), ("Andrew", 260),
    ("Richard", 230), ("James", 220), ("Michael", 220), ("Daniel", 200), ("Lee", 200),
    ("Matthew", 190), ("Stephen", 170), ("Darren", 170), ("Craig", 160), ("Simon", 150),
    ("Robert", 150), ("Steven", 145), ("Jason", 140), ("John", 140), ("Ian", 130),
    ("Neil", 120), ("Nicholas", 120), ("Jonathan", 110), ("Peter", 110), ("Anthony", 110),
    ("Gary", 105), ("Kevin", 100), ("Stuart", 100), ("Carl", 95), ("Dean", 95),
    ("Wayne", 95), ("Martin", 90), ("Philip", 85), ("Thomas", 85), ("Adam", 80),
    ("Scott", 80), ("Jamie", 75), ("Ryan", 70), ("Benjamin", 65), ("Timothy", 60),
    ("Shaun", 60), ("Sean", 55), ("Alan", 50), ("Gareth", 55), ("Karl", 45),
    ("Jonathon", 15), ("Ashley", 45), ("Marc", 40), ("Barry", 35), ("William", 50),
    ("Joseph", 45), ("Alexander", 40), ("Edward", 35), ("Graham", 30), ("Russell", 35),
    ("Glen", 30), ("Glenn", 20), ("Kristian", 15), ("Christian", 30), ("Luke", 35),
    ("Aaron", 30), ("Gavin", 35), ("Kieran", 20), ("Liam", 35), ("Ross", 30),
    ("Jody", 8), ("Justin", 20), ("Damian", 25), ("Damien", 20), ("Dominic", 20),
    ("Adrian", 25), ("Kenneth", 15), ("Leon", 20), ("Nathan", 30), ("Samuel", 30),
    ("Robin", 10), ("Trevor", 10), ("Terry", 10), ("Tony", 25), ("Keith", 10),
    ("Colin", 10), ("Brian", 10), ("Mitchell", 10), ("Jeremy", 10), ("Clive", 8),
    ("Oliver", 15), ("Toby", 12), ("Rupert", 6), ("Jack", 10), ("Vincent", 10),
    ("Patrick", 25), ("Francis", 10), ("Julian", 10), ("Jay", 12), ("Jon", 15),
    ("Owen", 15), ("Rhys", 15), ("Dale", 25), ("Elliot", 10), ("Warren", 20),
    ("Jeffrey", 8), ("Duncan", 12), ("Iain", 12), ("Gordon", 8), ("Fraser", 8),
    ("Euan", 6), ("Alistair", 12), ("Hugh", 6), ("Charles", 20), ("George", 15),
    ("Henry", 8), ("Harry", 10), ("Roger", 5), ("Raymond", 10), ("Douglas", 8),
    ("Frank", 6), ("Bradley", 10), ("Kyle", 10), ("Jordan", 5), ("Ricky", 15),
    ("Danny", 15), ("Jermaine", 8), ("Kirk", 12), ("Troy", 8), ("Clint", 5),
    ("Brett", 8), ("Tristan", 6), ("Declan", 8), ("Stefan", 10), ("Phillip", 15),
    ("Nigel", 8), ("Gregory", 12), ("Mathew", 8), ("Antony", 8), ("Jean-Paul", 2),
    ("Lloyd", 10), ("Spencer", 12), ("Grant", 12), ("Sam", 5), ("Kelvin", 5),
];

/// British men born 1985-1996.
pub const BRITISH_MALE_1985_1996: Weighted = &[
    ("Daniel", 240), ("Christopher", 230), ("James", 230), ("Thomas", 220), ("Matthew", 210),
    ("Ryan", 200), ("Michael", 180), ("Adam", 170), ("Luke", 160), ("David", 150),
    ("Andrew", 140), ("Jamie", 140), ("Liam", 140), ("Jack", 140), ("Craig", 130),
    ("Joshua", 130), ("Samuel", 120), ("Lee", 110), ("Robert", 110), ("Benjamin", 110),
    ("Callum", 110), ("Jonathan", 100), ("Mark", 100), ("Joseph", 100), ("Kieran", 100),
    ("Connor", 100), ("Scott", 100), ("Paul", 95), ("Richard", 95), ("Sean", 90),
    ("Nathan", 90), ("Jordan", 90), ("Lewis", 90), ("Aaron", 80), ("Alexander", 80),
    ("Bradley", 80), ("Jake", 80), ("Kyle", 80), ("Ashley", 70), ("Stephen", 70),
    ("Steven", 70), ("Anthony", 70), ("John", 70), ("Reece", 60), ("Shaun", 60),
    ("Dean", 60), ("Ross", 60), ("William", 60), ("Stuart", 50), ("Peter", 50),
    ("Carl", 40), ("Darren", 40), ("Jason", 40), ("Dale", 40), ("Mitchell", 40),
    ("Edward", 40), ("George", 40), ("Harry", 40), ("Oliver", 40), ("Leon", 40),
    ("Cameron", 40), ("Shane", 40), ("Kevin", 35), ("Philip", 35), ("Martin", 35),
    ("Jay", 35), ("Owen", 35), ("Gary", 30), ("Wayne", 30), ("Simon", 30),
    ("Danny", 30), ("Ricky", 30), ("Charlie", 30), ("Alex", 30), ("Ben", 30),
    ("Marcus", 30), ("Curtis", 30), ("Declan", 30), ("Gareth", 30), ("Dylan", 30),
    ("Rhys", 45), ("Nicholas", 45), ("Dominic", 25), ("Elliot", 25), ("Brandon", 25),
    ("Kane", 25), ("Christian", 25), ("Patrick", 25), ("Elliott", 20), ("Aidan", 20),
    ("Tyler", 20), ("Karl", 20), ("Timothy", 20), ("Louis", 20), ("Billy", 20),
    ("Jacob", 20), ("Corey", 20), ("Sam", 20), ("Jermaine", 15), ("Kristian", 15),
    ("Stefan", 15), ("Damian", 15), ("Rory", 15), ("Euan", 15), ("Fraser", 15),
    ("Gregory", 15), ("Max", 15), ("Toby", 15), ("Henry", 15), ("Robbie", 15),
    ("Marc", 15), ("Tom", 15), ("Josh", 15), ("Jerome", 10), ("Ewan", 10),
    ("Greg", 10), ("Zak", 10), ("Zachary", 10), ("Kai", 10), ("Jonathon", 8),
    ("Morgan", 8), ("Hayden", 8), ("Bailey", 5), ("Conor", 30), ("Ashley-John", 1),
    ("Lloyd", 10), ("Joel", 15), ("Tristan", 5), ("Warren", 8), ("Kirk", 5),
];

/// British men born 1997 onwards.
pub const BRITISH_MALE_1997_ON: Weighted = &[
    ("Jack", 260), ("Joshua", 220), ("Thomas", 210), ("James", 200), ("Daniel", 180),
    ("Harry", 160), ("Samuel", 160), ("Joseph", 150), ("Callum", 140), ("Matthew", 140),
    ("Luke", 140), ("Lewis", 130), ("William", 120), ("Oliver", 120), ("Ryan", 120),
    ("Benjamin", 110), ("George", 110), ("Liam", 110), ("Jordan", 110), ("Jake", 110),
    ("Connor", 110), ("Adam", 100), ("Alexander", 100), ("Cameron", 90), ("Nathan", 90),
    ("Ethan", 90), ("Charlie", 90), ("Kieran", 80), ("Jamie", 80), ("Jacob", 80),
    ("Bradley", 80), ("Dylan", 80), ("Alfie", 70), ("Brandon", 70), ("Tyler", 70),
    ("Michael", 70), ("Reece", 60), ("Owen", 60), ("Kyle", 60), ("Christopher", 60),
    ("Harvey", 50), ("Mason", 50), ("David", 50), ("Rhys", 50), ("Archie", 40),
    ("Leon", 40), ("Louis", 40), ("Max", 40), ("Aaron", 40), ("Ben", 40),
    ("Edward", 40), ("Kai", 40), ("Jayden", 40), ("Sean", 40), ("Riley", 35),
    ("Henry", 35), ("Robert", 30), ("Andrew", 30), ("Declan", 30), ("Elliot", 30),
    ("Billy", 30), ("Scott", 30), ("Corey", 30), ("Josh", 25), ("Alex", 25),
    ("Elliott", 25), ("Aidan", 25), ("Freddie", 25), ("Lucas", 25), ("Logan", 25),
    ("Oscar", 25), ("Toby", 25), ("Bailey", 25), ("Anthony", 25), ("Sam", 20),
    ("Charles", 20), ("Finlay", 20), ("Leo", 20), ("Mitchell", 20), ("Morgan", 20),
    ("Ross", 20), ("Shaun", 20), ("Shane", 20), ("Marcus", 20), ("Curtis", 20),
    ("Kane", 20), ("Hayden", 20), ("Zachary", 20), ("Aiden", 20), ("Joel", 20),
    ("John", 20), ("Conor", 20), ("Jay", 20), ("Tom", 15), ("Finley", 15),
    ("Lee", 15), ("Danny", 15), ("Zak", 15), ("Isaac", 15), ("Rory", 15),
    ("Ellis", 15), ("Stephen", 15), ("Steven", 15), ("Mark", 15), ("Richard", 15),
    ("Jonathan", 15), ("Dominic", 15), ("Patrick", 15), ("Jason", 10), ("Zac", 10),
    ("Caleb", 10), ("Jude", 10), ("Frankie", 10), ("Euan", 10), ("Ewan", 10),
    ("Fraser", 10), ("Noah", 10), ("Jaden", 10), ("Levi", 10), ("Nathaniel", 10),
    ("Paul", 10), ("Peter", 10), ("Keegan", 10), ("Tommy", 12), ("Ronnie", 8),
    ("Ollie", 8), ("Callan", 8), ("Taylor", 8), ("Jenson", 5), ("Tristan", 5),
    ("Tyler-James", 2), ("Kayden", 8), ("Alfie-Jay", 1), ("Luca", 8), ("Reuben", 6),
];

/// British women born before 1970.
pub const BRITISH_FEMALE_PRE1970: Weighted = &[
    ("Susan", 380), ("Linda", 320), ("Christine", 260), ("Margaret", 250), ("Janet", 230),
    ("Patricia", 220), ("Carol", 210), ("Elizabeth", 190), ("Mary", 190), ("Anne", 180),
    ("Karen", 170), ("Julie", 170), ("Jacqueline", 160), ("Sandra", 160), ("Barbara", 150),
    ("Jane", 150), ("Gillian", 140), ("Pauline", 140), ("Elaine", 130), ("Lesley", 120),
    ("Angela", 120), ("Ann", 120), ("Pamela", 115), ("Helen", 110), ("Jennifer", 110),
    ("Valerie", 100), ("Jean", 100), ("Brenda", 95), ("Maureen", 95), ("Sheila", 90),
    ("Deborah", 90), ("Kathleen", 85), ("Catherine", 85), ("Tracey", 80), ("Wendy", 80),
    ("Diane", 80), ("Sharon", 80), ("Alison", 75), ("Dawn", 70), ("Denise", 70),
    ("Sarah", 60), ("Shirley", 60), ("Beverley", 55), ("Lorraine", 55), ("Judith", 50),
    ("Yvonne", 50), ("Amanda", 50), ("Joanne", 45), ("Caroline", 45), ("Irene", 40),
    ("Joan", 40), ("Eileen", 40), ("Marion", 40), ("Lynn", 40), ("Teresa", 40),
    ("Rosemary", 40), ("Janice", 40), ("Doreen", 35), ("Dorothy", 35), ("Marilyn", 35),
    ("Hilary", 35), ("Gail", 35), ("Debra", 35), ("Heather", 35), ("Ruth", 35),
    ("June", 30), ("Lynne", 30), ("Frances", 30), ("Sylvia", 30), ("Hazel", 30),
    ("Sally", 30), ("Anita", 30), ("Paula", 30), ("Tina", 30), ("Carole", 30),
    ("Joyce", 25), ("Veronica", 25), ("Theresa", 25), ("Nicola", 25), ("Rita", 25),
    ("Josephine", 25), ("Jill", 25), ("Christina", 25), ("Jeanette", 25), ("Suzanne", 25),
    ("Annette", 25), ("Maria", 25), ("Fiona", 25), ("Audrey", 20), ("Bernadette", 20),
    ("Diana", 20), ("Maxine", 20), ("Rachel", 20), ("Lynda", 20), ("Kathryn", 20),
    ("Julia", 20), ("Glenys", 15), ("Beryl", 15), ("Kay", 15), ("Lorna", 15),
    ("Moira", 15), ("Norma", 15), ("Rose", 15), ("Katherine", 15), ("Marian", 15),
    ("Cheryl", 15), ("Michelle", 15), ("Vera", 12), ("Iris", 12), ("Penelope", 12),
    ("Evelyn", 12), ("Gloria", 12), ("Vivienne", 12), ("Bridget", 12), ("Edna", 10),
    ("Doris", 10), ("Lilian", 10), ("Marjorie", 10), ("Stella", 10), ("Glenda", 10),
    ("Anne-Marie", 10), ("Sheena", 10), ("Sonia", 10), ("Alice", 8), ("Isobel", 8),
    ("Mavis", 8), ("Avril", 8), ("Colette", 8), ("Philippa", 8), ("Rosalind", 8),
    ("Tanya", 8), ("Jeanne", 6), ("Gwendoline", 6), ("Mary-Jane", 3), ("Renée", 2),
];

/// British women born 1970-1984.
pub const BRITISH_FEMALE_1970_1984: Weighted = &[
    ("Sarah", 300), ("Emma", 250), ("Claire", 240), ("Nicola", 220), ("Lisa", 220),
    ("Joanne", 200), ("Michelle", 190), ("Helen", 170), ("Rachel", 160), ("Kelly", 160),
    ("Samantha", 150), ("Louise", 150), ("Karen", 130), ("Laura", 130), ("Rebecca", 120),
    ("Amanda", 120), ("Julie", 110), ("Victoria", 110), ("Donna", 100), ("Stephanie", 90),
    ("Catherine", 90), ("Elizabeth", 80), ("Kerry", 80), ("Natalie", 80), ("Gemma", 80),
    ("Hayley", 75), ("Jennifer", 70), ("Tracey", 70), ("Sharon", 60), ("Kirsty", 55),
    ("Leanne", 55), ("Dawn", 50), ("Joanna", 50), ("Lucy", 50), ("Zoe", 50),
    ("Charlotte", 50), ("Caroline", 50), ("Deborah", 50), ("Alison", 45), ("Angela", 40),
    ("Suzanne", 40), ("Melanie", 40), ("Natasha", 40), ("Clare", 40), ("Danielle", 40),
    ("Kate", 35), ("Katie", 35), ("Andrea", 35), ("Anna", 35), ("Jane", 35),
    ("Katherine", 35), ("Jessica", 30), ("Ruth", 30), ("Marie", 30), ("Kathryn", 30),
    ("Fiona", 30), ("Jacqueline", 30), ("Paula", 30), ("Carly", 30), ("Amy", 30),
    ("Cheryl", 30), ("Stacey", 30), ("Anne-Marie", 25), ("Tanya", 25), ("Sally", 25),
    ("Kimberley", 25), ("Maria", 25), ("Alexandra", 25), ("Jodie", 25), ("Sian", 25),
    ("Lindsay", 20), ("Tina", 20), ("Emily", 20), ("Heather", 20), ("Kim", 20),
    ("Tara", 20), ("Hannah", 20), ("Abigail", 20), ("Charlene", 20), ("Faye", 20),
    ("Mandy", 20), ("Lorraine", 20), ("Sara", 20), ("Lyndsey", 15), ("Sonia", 15),
    ("Jenny", 15), ("Sophie", 15), ("Wendy", 15), ("Lorna", 15), ("Nadine", 15),
    ("Diane", 15), ("Elaine", 15), ("Gillian", 15), ("Justine", 15), ("Kylie", 15),
    ("Lynsey", 15), ("Toni", 15), ("Vanessa", 15), ("Katrina", 15), ("Jemma", 15),
    ("Jade", 15), ("Leigh", 10), ("Colette", 10), ("Debbie", 10), ("Eleanor", 10),
    ("Kerrie", 10), ("Nichola", 10), ("Philippa", 10), ("Yvonne", 10), ("Lesley", 10),
    ("Vicky", 10), ("Vicki", 10), ("Susan", 20), ("Maxine", 10), ("Zoë", 8),
    ("Sadie", 8), ("Zara", 8), ("Tammy", 8), ("Leah", 8), ("Renee", 8),
    ("Rosie", 6), ("Lydia", 6), ("Renée", 5), ("Chloe", 5), ("Mary-Jane", 3),
    ("Theresa", 10), ("Teresa", 10), ("Gail", 8), ("Belinda", 8), ("Shelley", 12),
];

/// British women born 1985-1996.
pub const BRITISH_FEMALE_1985_1996: Weighted = &[
    ("Laura", 220), ("Amy", 210), ("Rebecca", 200), ("Sarah", 200), ("Emma", 200),
    ("Gemma", 180), ("Jade", 180), ("Charlotte", 170), ("Samantha", 160), ("Lauren", 160),
    ("Hannah", 150), ("Sophie", 150), ("Chloe", 140), ("Jessica", 140), ("Stacey", 130),
    ("Danielle", 130), ("Kayleigh", 110), ("Kirsty", 100), ("Natalie", 100), ("Victoria", 100),
    ("Nicola", 90), ("Jennifer", 90), ("Stephanie", 90), ("Kelly", 90), ("Rachel", 90),
    ("Katie", 90), ("Emily", 80), ("Leanne", 80), ("Hayley", 80), ("Louise", 70),
    ("Jodie", 70), ("Zoe", 70), ("Shannon", 60), ("Megan", 60), ("Holly", 60),
    ("Bethany", 60), ("Lucy", 60), ("Lisa", 50), ("Michelle", 50), ("Claire", 50),
    ("Amber", 50), ("Courtney", 50), ("Leah", 50), ("Abigail", 50), ("Elizabeth", 50),
    ("Natasha", 50), ("Catherine", 40), ("Alexandra", 40), ("Kimberley", 40), ("Kerry", 40),
    ("Carly", 40), ("Ashleigh", 40), ("Chelsea", 35), ("Naomi", 30), ("Aimee", 30),
    ("Georgia", 30), ("Sian", 30), ("Melissa", 30), ("Jasmine", 25), ("Jenna", 25),
    ("Eleanor", 25), ("Paige", 25), ("Toni", 25), ("Ellie", 25), ("Katherine", 25),
    ("Anna", 25), ("Olivia", 25), ("Kathryn", 20), ("Jemma", 20), ("Tara", 20),
    ("Alice", 20), ("Grace", 20), ("Caitlin", 20), ("Chantelle", 20), ("Donna", 20),
    ("Joanne", 20), ("Kara", 15), ("Keeley", 15), ("Marie", 15), ("Rosie", 15),
    ("Sasha", 15), ("Sara", 15), ("Yasmin", 15), ("Zara", 15), ("Abbie", 15),
    ("Billie", 15), ("Ciara", 15), ("Demi", 15), ("Faye", 15), ("Hollie", 15),
    ("Rhiannon", 15), ("Bethan", 15), ("Amanda", 15), ("Kayley", 10), ("Kaylee", 10),
    ("Lacey", 10), ("Leigh", 10), ("Lindsey", 10), ("Lyndsey", 10), ("Nadia", 10),
    ("Tanya", 10), ("Vanessa", 10), ("Charlene", 10), ("Shauna", 10), ("Kelsey", 10),
    ("Lydia", 10), ("Stacy", 10), ("Katy", 10), ("Kate", 10), ("Tiffany", 10),
    ("Rochelle", 10), ("Roxanne", 10), ("Zoë", 10), ("Tegan", 8), ("Cheryl", 8),
    ("Sophia", 8), ("Kirstie", 8), ("Siobhan", 8), ("Nikita", 8), ("Anne-Marie", 10),
    ("Kelly-Ann", 5), ("Chloé", 4), ("Renée", 4), ("Jade-Louise", 2), ("Becky", 4),
];

/// British women born 1997 onwards.
pub const BRITISH_FEMALE_1997_ON: Weighted = &[
    ("Chloe", 220), ("Emily", 180), ("Megan", 180), ("Jessica", 180), ("Sophie", 170),
    ("Lauren", 150), ("Charlotte", 150), ("Hannah", 150), ("Olivia", 120), ("Ellie", 120),
    ("Lucy", 110), ("Amy", 110), ("Georgia", 100), ("Bethany", 100), ("Holly", 90),
    ("Katie", 90), ("Rebecca", 80), ("Grace", 80), ("Molly", 80), ("Emma", 70),
    ("Abigail", 70), ("Shannon", 70), ("Courtney", 70), ("Leah", 70), ("Amber", 70),
    ("Millie", 70), ("Paige", 70), ("Jade", 60), ("Mia", 60), ("Caitlin", 60),
    ("Ella", 50), ("Eleanor", 50), ("Lily", 50), ("Laura", 50), ("Evie", 40),
    ("Niamh", 40), ("Ruby", 40), ("Keira", 40), ("Jasmine", 40), ("Demi", 40),
    ("Danielle", 40), ("Sarah", 40), ("Abbie", 40), ("Alice", 40), ("Amelia", 40),
    ("Brooke", 40), ("Erin", 40), ("Zoe", 40), ("Samantha", 30), ("Aimee", 30),
    ("Chelsea", 30), ("Freya", 30), ("Jodie", 30), ("Nicole", 30), ("Phoebe", 30),
    ("Rosie", 30), ("Victoria", 30), ("Elizabeth", 30), ("Natasha", 25), ("Imogen", 25),
    ("Kayleigh", 25), ("Lacey", 25), ("Libby", 25), ("Maisie", 25), ("Tia", 25),
    ("Natalie", 25), ("Stephanie", 25), ("Jennifer", 25), ("Abby", 20), ("Casey", 20),
    ("Ciara", 20), ("Kelsey", 20), ("Lydia", 20), ("Poppy", 20), ("Scarlett", 20),
    ("Tegan", 20), ("Hollie", 20), ("Isabelle", 20), ("Hayley", 20), ("Anna", 20),
    ("Alexandra", 20), ("Melissa", 15), ("Naomi", 15), ("Sienna", 15), ("Sophia", 15),
    ("Summer", 15), ("Zara", 15), ("Rhiannon", 15), ("Heidi", 15), ("Kiera", 15),
    ("Madison", 15), ("Isabella", 15), ("Gemma", 15), ("Louise", 15), ("Kimberley", 15),
    ("Sasha", 10), ("Stacey", 10), ("Bethan", 10), ("Elise", 10), ("Jessie", 10),
    ("Kirsty", 10), ("Kacey", 10), ("Kayla", 10), ("Katy", 10), ("Kelly", 10),
    ("Leanne", 10), ("Jorja", 10), ("Skye", 10), ("Isabel", 10), ("Isobel", 10),
    ("Ava", 10), ("Toni", 10), ("Jordan", 10), ("Shauna", 10), ("Chantelle", 10),
    ("Faith", 10), ("Caitlyn", 10), ("Ellie-Mae", 8), ("Aaliyah", 8), ("Nikita", 8),
    ("Tiana", 8), ("Eden", 8), ("Hope", 8), ("Lacey-Mae", 6), ("Lily-May", 6),
    ("Demi-Leigh", 6), ("Zoë", 6), ("Chloé", 5), ("Paris", 5), ("India", 5),
    ("Renée", 4), ("Kerys", 6), ("Jasmin", 8), ("Neve", 8), ("Mollie", 10),
];

// ---------------------------------------------------------------------------
// Irish
// ---------------------------------------------------------------------------

/// Irish men (Ireland-born and Irish Traveller families), all eras.
pub const IRISH_MALE: Weighted = &[
    ("Patrick", 220), ("Michael", 200), ("John", 190), ("Sean", 150), ("Seán", 30),
    ("Thomas", 110), ("James", 100), ("Martin", 90), ("Declan", 70), ("Ciaran", 60),
    ("Ciarán", 15), ("Kieran", 40), ("Padraig", 35), ("Pádraig", 10), ("Eoin", 40),
    ("Conor", 60), ("Cathal", 25), ("Colm", 25), ("Dermot", 30), ("Diarmuid", 10),
    ("Donal", 25), ("Dónal", 6), ("Eamon", 25), ("Éamon", 5), ("Eamonn", 15),
    ("Fergal", 20), ("Finbar", 15), ("Liam", 60), ("Niall", 40), ("Oisin", 15),
    ("Oisín", 6), ("Ronan", 35), ("Ruairi", 10), ("Ruairí", 4), ("Seamus", 35),
    ("Séamus", 10), ("Shane", 60), ("Brendan", 40), ("Kevin", 40), ("Aidan", 30),
    ("Cian", 20), ("Darragh", 25), ("Tadhg", 10), ("Fionn", 8), ("Cormac", 15),
    ("Enda", 10), ("Lorcan", 8), ("Barry", 25), ("Gerard", 40), ("Noel", 25),
    ("Joseph", 40), ("Christopher", 30), ("Paul", 40), ("Francis", 20), ("Denis", 20),
];

/// Irish women, all eras.
pub const IRISH_FEMALE: Weighted = &[
    ("Mary", 200), ("Bridget", 80), ("Margaret", 100), ("Niamh", 80), ("Siobhan", 70),
    ("Siobhán", 15), ("Aoife", 60), ("Ciara", 60), ("Caoimhe", 20), ("Sinead", 50),
    ("Sinéad", 15), ("Roisin", 35), ("Róisín", 10), ("Orla", 40), ("Orlaith", 8),
    ("Aisling", 35), ("Clodagh", 20), ("Grainne", 20), ("Gráinne", 6), ("Mairead", 20),
    ("Máiréad", 5), ("Maeve", 25), ("Deirdre", 30), ("Eimear", 20), ("Fiona", 30),
    ("Catriona", 15), ("Nuala", 10), ("Sorcha", 10), ("Saoirse", 20), ("Una", 15),
    ("Úna", 4), ("Eilis", 8), ("Eilís", 3), ("Emer", 10), ("Kathleen", 60),
    ("Ann", 50), ("Patricia", 50), ("Sheila", 30), ("Colleen", 15), ("Aine", 15),
    ("Áine", 5), ("Shauna", 20), ("Tara", 25), ("Muireann", 5), ("Maire", 10),
    ("Máire", 4), ("Nora", 20), ("Theresa", 25), ("Bernadette", 25), ("Geraldine", 20),
    ("Anne-Marie", 10), ("Marie", 25), ("Catherine", 50), ("Eileen", 25), ("Philomena", 10),
];

// ---------------------------------------------------------------------------
// Other traditions
// ---------------------------------------------------------------------------

// ----- East European -----

/// Polish men.
pub const POLISH_MALE: Weighted = &[
    ("Łukasz", 60), ("Lukasz", 15), ("Piotr", 70), ("Krzysztof", 60), ("Tomasz", 70),
    ("Paweł", 55), ("Pawel", 15), ("Michał", 55), ("Marcin", 60), ("Kamil", 50),
    ("Mateusz", 45), ("Jakub", 45), ("Dawid", 40), ("Bartosz", 35), ("Grzegorz", 35),
    ("Adam", 40), ("Marek", 35), ("Rafał", 30), ("Wojciech", 25), ("Sebastian", 35),
    ("Damian", 35), ("Andrzej", 25), ("Przemysław", 20), ("Mariusz", 30), ("Artur", 30),
    ("Szymon", 20), ("Daniel", 25), ("Aleksander", 12), ("Dariusz", 25), ("Sławomir", 15),
    ("Kacper", 20), ("Patryk", 25), ("Robert", 25), ("Maciej", 25), ("Zbigniew", 10),
    ("Jarosław", 15),
];

/// Polish women.
pub const POLISH_FEMALE: Weighted = &[
    ("Agnieszka", 60), ("Katarzyna", 65), ("Anna", 70), ("Magdalena", 50), ("Joanna", 45),
    ("Monika", 45), ("Justyna", 35), ("Karolina", 35), ("Natalia", 35), ("Aleksandra", 35),
    ("Zofia", 10), ("Małgorzata", 35), ("Ewa", 30), ("Marta", 30), ("Paulina", 30),
    ("Dorota", 20), ("Sylwia", 25), ("Beata", 20), ("Kinga", 15), ("Weronika", 15),
    ("Izabela", 15), ("Patrycja", 20), ("Marzena", 12), ("Emilia", 12), ("Julia", 12),
];

/// Romanian men.
pub const ROMANIAN_MALE: Weighted = &[
    ("Ion", 35), ("Ionuț", 25), ("Andrei", 40), ("Alexandru", 35), ("Mihai", 35),
    ("Florin", 30), ("Constantin", 25), ("Gheorghe", 20), ("Marian", 25), ("Adrian", 30),
    ("Cristian", 30), ("Bogdan", 25), ("Vasile", 20), ("Nicolae", 20), ("Ștefan", 15),
    ("Gabriel", 25), ("Cătălin", 15), ("Daniel", 30), ("Ionel", 12), ("Costel", 10),
    ("Marius", 25), ("Sorin", 12), ("Dumitru", 12), ("Viorel", 10), ("Răzvan", 12),
];

/// Romanian women.
pub const ROMANIAN_FEMALE: Weighted = &[
    ("Maria", 40), ("Elena", 30), ("Ioana", 25), ("Andreea", 30), ("Mihaela", 25),
    ("Alexandra", 20), ("Cristina", 25), ("Gabriela", 20), ("Florentina", 10), ("Georgiana", 15),
    ("Ana-Maria", 12), ("Larisa", 10), ("Bianca", 15), ("Daniela", 15), ("Nicoleta", 12),
    ("Alina", 15), ("Roxana", 12), ("Simona", 12), ("Ionela", 10), ("Adriana", 10),
];

/// Lithuanian and Latvian men.
pub const BALTIC_MALE: Weighted = &[
    ("Tomas", 30), ("Mindaugas", 25), ("Darius", 20), ("Andrius", 20), ("Vytautas", 15),
    ("Jonas", 15), ("Saulius", 12), ("Giedrius", 12), ("Aurimas", 10), ("Paulius", 12),
    ("Mantas", 15), ("Marius", 12), ("Deividas", 10), ("Justinas", 10), ("Jānis", 8),
    ("Andris", 6), ("Edgars", 5), ("Māris", 5),
];

/// Lithuanian and Latvian women.
pub const BALTIC_FEMALE: Weighted = &[
    ("Rasa", 12), ("Jurgita", 12), ("Kristina", 15), ("Inga", 10), ("Vilma", 8),
    ("Laura", 15), ("Rūta", 8), ("Eglė", 8), ("Aušra", 6), ("Gintarė", 6),
    ("Ieva", 10), ("Greta", 8), ("Agnė", 8), ("Ilze", 5), ("Līga", 4),
    ("Inese", 4), ("Kristīne", 4),
];

/// Slovak, Czech, Hungarian, Bulgarian and Ukrainian men.
pub const CENTRAL_EUROPEAN_MALE: Weighted = &[
    ("Jan", 20), ("Martin", 20), ("Peter", 15), ("Lukáš", 10), ("Tomáš", 10),
    ("Georgi", 12), ("Dimitar", 12), ("Ivan", 15), ("Milan", 10), ("Jozef", 10),
    ("László", 8), ("Zoltán", 8), ("Gábor", 6), ("Oleksandr", 8), ("Andriy", 6),
    ("Dmytro", 6), ("Nikolay", 6), ("Roman", 8),
];

/// Slovak, Czech, Hungarian, Bulgarian and Ukrainian women.
pub const CENTRAL_EUROPEAN_FEMALE: Weighted = &[
    ("Lucie", 8), ("Petra", 10), ("Zuzana", 10), ("Veronika", 10), ("Desislava", 6),
    ("Mária", 8), ("Jana", 10), ("Eva", 8), ("Katarína", 6), ("Erzsébet", 4),
    ("Krisztina", 5), ("Olena", 6), ("Oksana", 6), ("Iryna", 6), ("Yulia", 6),
    ("Ivana", 8),
];

/// Albanian and Kosovan men.
pub const ALBANIAN_MALE: Weighted = &[
    ("Arben", 8), ("Ardit", 6), ("Besnik", 5), ("Ermal", 6), ("Klodian", 5),
    ("Dritan", 5), ("Gentian", 5), ("Fatjon", 4), ("Erion", 5), ("Edmond", 4),
    ("Altin", 5), ("Endrit", 4), ("Arjan", 4), ("Florian", 4), ("Kristian", 3),
    ("Mario", 3),
];

/// Albanian and Kosovan women.
pub const ALBANIAN_FEMALE: Weighted = &[
    ("Arta", 4), ("Blerta", 4), ("Ermira", 4), ("Mirela", 6), ("Elira", 4),
    ("Anila", 4), ("Jonida", 3), ("Etleva", 3), ("Klea", 3), ("Elona", 3),
    ("Albana", 3),
];

// ----- Southern European -----

/// Portuguese and Madeiran men.
pub const PORTUGUESE_MALE: Weighted = &[
    ("João", 60), ("José", 50), ("Gonçalo", 20), ("Tiago", 35), ("Rui", 30),
    ("Nuno", 30), ("Pedro", 40), ("Miguel", 35), ("Luís", 30), ("Ricardo", 35),
    ("Paulo", 30), ("António", 40), ("Francisco", 30), ("Carlos", 35), ("Manuel", 30),
    ("Bruno", 30), ("Fábio", 20), ("Diogo", 20), ("Vítor", 15), ("Hugo", 15),
    ("Rafael", 15), ("Daniel", 15), ("Sérgio", 15), ("Filipe", 15), ("André", 20),
    ("Jorge", 15),
];

/// Portuguese and Madeiran women.
pub const PORTUGUESE_FEMALE: Weighted = &[
    ("Maria", 80), ("Ana", 50), ("Sofia", 25), ("Inês", 25), ("Beatriz", 20),
    ("Catarina", 30), ("Mariana", 25), ("Joana", 30), ("Rita", 25), ("Sara", 25),
    ("Marta", 25), ("Cláudia", 20), ("Patrícia", 20), ("Vanessa", 20), ("Filipa", 15),
    ("Raquel", 15), ("Daniela", 20), ("Andreia", 15), ("Sílvia", 12), ("Conceição", 8),
    ("Fátima", 10), ("Teresa", 10), ("Susana", 12), ("Carla", 15), ("Sandra", 10),
];

/// Italian men.
pub const ITALIAN_MALE: Weighted = &[
    ("Giuseppe", 25), ("Giovanni", 20), ("Marco", 30), ("Luca", 25), ("Francesco", 25),
    ("Alessandro", 20), ("Andrea", 15), ("Antonio", 30), ("Salvatore", 15), ("Matteo", 15),
    ("Lorenzo", 10), ("Davide", 15), ("Stefano", 12), ("Gianluca", 10), ("Vincenzo", 10),
    ("Roberto", 15), ("Paolo", 15), ("Massimo", 10), ("Fabio", 10), ("Simone", 10),
    ("Mario", 12),
];

/// Italian women.
pub const ITALIAN_FEMALE: Weighted = &[
    ("Giulia", 20), ("Francesca", 20), ("Chiara", 15), ("Alessandra", 12), ("Federica", 10),
    ("Valentina", 15), ("Giovanna", 10), ("Rosa", 15), ("Antonella", 8), ("Elisa", 10),
    ("Paola", 10), ("Maria", 25), ("Sara", 12), ("Martina", 10), ("Laura", 12),
    ("Anna", 12), ("Silvia", 10), ("Roberta", 8),
];

/// Spanish men.
pub const SPANISH_MALE: Weighted = &[
    ("Javier", 15), ("Alejandro", 15), ("Jesús", 10), ("Sergio", 15), ("Álvaro", 8),
    ("Jorge", 12), ("Juan", 20), ("Raúl", 10), ("Iván", 8), ("David", 15),
    ("Carlos", 15), ("José", 15), ("Antonio", 12), ("Manuel", 12), ("Pablo", 12),
    ("Daniel", 12), ("Francisco", 10), ("Miguel", 10), ("Rubén", 8), ("Adrián", 8),
];

/// Spanish women.
pub const SPANISH_FEMALE: Weighted = &[
    ("Lucía", 12), ("Carmen", 20), ("Laura", 20), ("Elena", 15), ("Cristina", 15),
    ("Nerea", 5), ("María", 30), ("Marta", 12), ("Paula", 12), ("Ana", 12),
    ("Isabel", 10), ("Dolores", 6), ("Pilar", 8), ("Rocío", 6), ("Sara", 10),
    ("Andrea", 10), ("Raquel", 8), ("Beatriz", 8),
];

/// Greek and Greek Cypriot men.
pub const GREEK_MALE: Weighted = &[
    ("Georgios", 12), ("Dimitrios", 10), ("Konstantinos", 10), ("Nikolaos", 8), ("Ioannis", 8),
    ("Christos", 10), ("Panagiotis", 6), ("Andreas", 12), ("Michalis", 8), ("Kostas", 8),
    ("Nikos", 8), ("Giorgos", 10), ("Stavros", 6), ("Vasilis", 6), ("Spyros", 5),
    ("Charalambos", 6), ("Savvas", 5), ("Marios", 6), ("Antonis", 6), ("Theodoros", 5),
];

/// Greek and Greek Cypriot women.
pub const GREEK_FEMALE: Weighted = &[
    ("Eleni", 12), ("Georgia", 8), ("Dimitra", 8), ("Katerina", 8), ("Vasiliki", 5),
    ("Maria", 15), ("Sofia", 8), ("Christina", 8), ("Anna", 8), ("Panagiota", 5),
    ("Androulla", 5), ("Despina", 5), ("Stella", 6), ("Eleftheria", 4), ("Eirini", 5),
    ("Marianna", 5), ("Athena", 4), ("Niki", 5),
];

/// Caribbean men (Jamaican and other Caribbean heritage, all eras).
pub const CARIBBEAN_MALE: Weighted = &[
    ("Jermaine", 60), ("Delroy", 40), ("Winston", 35), ("Leroy", 40), ("Errol", 30),
    ("Tyrone", 50), ("Marlon", 40), ("Clinton", 30), ("Everton", 25), ("Devon", 30),
    ("Andre", 45), ("Dwayne", 40), ("Dwight", 25), ("Carlton", 25), ("Lloyd", 30),
    ("Desmond", 25), ("Wesley", 35), ("Trevor", 30), ("Nathaniel", 25), ("Kareem", 25),
    ("Jamal", 30), ("Tyrell", 35), ("Kyle", 30), ("Shaquille", 15), ("Kemar", 15),
    ("Damion", 15), ("Ricardo", 20), ("Courtney", 20), ("Garfield", 15), ("Leon", 40),
    ("Levi", 20), ("Elijah", 20), ("Isaiah", 20), ("Romario", 10), ("Kirk", 15),
    ("Kenroy", 10), ("Marcus", 45), ("Nathan", 35), ("Daniel", 35), ("Michael", 50),
    ("Anthony", 40), ("Christopher", 35), ("Jordan", 35), ("Reece", 20), ("Kevin", 25),
    ("Clive", 20), ("Aaron", 25), ("Mark", 25), ("Dean", 20), ("De'Andre", 4),
    ("Ja'Vaughn", 2), ("Trevon", 8), ("Rohan", 15), ("Omari", 12), ("Kadeem", 10),
];

/// Caribbean women.
pub const CARIBBEAN_FEMALE: Weighted = &[
    ("Shanice", 40), ("Tanisha", 30), ("Keisha", 35), ("Latoya", 25), ("Marcia", 30),
    ("Beverley", 30), ("Paulette", 25), ("Sharon", 35), ("Yvonne", 25), ("Janice", 25),
    ("Hyacinth", 15), ("Claudette", 15), ("Jasmine", 35), ("Chantelle", 35), ("Shantelle", 15),
    ("Natasha", 35), ("Tia", 25), ("Kadian", 10), ("Shereen", 15), ("Simone", 35),
    ("Nadine", 30), ("Monique", 25), ("Danielle", 35), ("Jade", 30), ("Abigail", 20),
    ("Tameka", 15), ("Shanelle", 15), ("Toni-Ann", 15), ("Shauna", 20), ("Rochelle", 25),
    ("Leonie", 20), ("Marsha", 20), ("Kerry-Ann", 12), ("Sharmaine", 12), ("Dionne", 20),
    ("Aaliyah", 15), ("Renée", 6), ("Shelly-Ann", 8), ("Michelle", 35), ("Donna", 25),
    ("Samantha", 25), ("Nicole", 30), ("Charlene", 20), ("Kimberley", 20), ("Stacey", 15),
    ("Zara", 10), ("Precious", 8), ("Carlene", 10), ("Trudy-Ann", 5), ("Sade", 10),
];

// ----- West African -----

/// Yoruba men.
pub const YORUBA_MALE: Weighted = &[
    ("Oluwaseun", 30), ("Olumide", 20), ("Oluwatobi", 20), ("Adebayo", 25), ("Adewale", 20),
    ("Ayodele", 15), ("Babatunde", 20), ("Olusegun", 20), ("Oluwafemi", 15), ("Temitope", 15),
    ("Tunde", 15), ("Femi", 15), ("Ayomide", 10), ("Oluwadamilare", 8), ("Kayode", 15),
    ("Gbenga", 12), ("Olalekan", 12), ("Damilola", 12), ("Kehinde", 12), ("Taiwo", 12),
    ("Oladele", 10), ("Segun", 12), ("Tobi", 10), ("Akin", 8),
];

/// Yoruba women.
pub const YORUBA_FEMALE: Weighted = &[
    ("Oluwakemi", 15), ("Folasade", 15), ("Funmilayo", 15), ("Titilayo", 12), ("Yetunde", 15),
    ("Abimbola", 15), ("Bukola", 15), ("Omolara", 12), ("Adenike", 12), ("Temitope", 15),
    ("Oluwaseyi", 10), ("Damilola", 12), ("Kehinde", 10), ("Taiwo", 10), ("Omolola", 10),
    ("Adeola", 12), ("Morenike", 8), ("Ronke", 8), ("Bisola", 8), ("Tolulope", 12),
    ("Yewande", 10), ("Folake", 10),
];

/// Igbo men.
pub const IGBO_MALE: Weighted = &[
    ("Chukwuemeka", 20), ("Chinedu", 20), ("Emeka", 20), ("Obinna", 15), ("Ikechukwu", 15),
    ("Uchenna", 12), ("Nnamdi", 12), ("Chidi", 12), ("Kelechi", 10), ("Ifeanyi", 10),
    ("Chibuzor", 8), ("Chijioke", 8), ("Nnaemeka", 8), ("Ebuka", 8), ("Tochukwu", 8),
    ("Okechukwu", 8), ("Chinonso", 6), ("Onyekachi", 6),
];

/// Igbo women.
pub const IGBO_FEMALE: Weighted = &[
    ("Ngozi", 25), ("Chioma", 25), ("Adaeze", 15), ("Nneka", 20), ("Chiamaka", 15),
    ("Ifeoma", 15), ("Uchechi", 8), ("Chinyere", 10), ("Nkechi", 12), ("Amarachi", 8),
    ("Chinwe", 8), ("Obiageli", 5), ("Ogechi", 8), ("Ijeoma", 10), ("Ebere", 6),
    ("Adaobi", 8), ("Chidinma", 8), ("Nkiruka", 6),
];

/// Ghanaian men (Akan, Ewe and Ga day names and others).
pub const GHANAIAN_MALE: Weighted = &[
    ("Kwame", 25), ("Kofi", 25), ("Kwabena", 15), ("Kwaku", 12), ("Kwasi", 15),
    ("Yaw", 15), ("Kojo", 12), ("Kweku", 8), ("Nana", 10), ("Kwadwo", 10),
    ("Kwesi", 8), ("Ato", 5), ("Fiifi", 5), ("Kobina", 5), ("Selorm", 4),
    ("Edem", 4), ("Elikem", 3), ("Nii", 6),
];

/// Ghanaian women.
pub const GHANAIAN_FEMALE: Weighted = &[
    ("Ama", 20), ("Akosua", 15), ("Abena", 20), ("Adwoa", 15), ("Afia", 12),
    ("Akua", 12), ("Yaa", 12), ("Efua", 10), ("Esi", 10), ("Araba", 6),
    ("Adjoa", 8), ("Naa", 6), ("Dzifa", 4), ("Enyonam", 4), ("Aba", 4),
];

/// Muslim West African men (Sierra Leonean, Gambian, Hausa, Fulani).
pub const WEST_AFRICAN_MUSLIM_MALE: Weighted = &[
    ("Mohamed", 30), ("Ibrahim", 20), ("Abubakar", 12), ("Alhaji", 8), ("Musa", 12),
    ("Sulaiman", 8), ("Ahmed", 10), ("Abdul", 10), ("Umaru", 6), ("Sorie", 6),
    ("Alusine", 6), ("Mamadu", 6), ("Lamin", 10), ("Foday", 6), ("Sheku", 6),
    ("Osman", 6), ("Aminu", 6), ("Yusuf", 6), ("Sanusi", 4),
];

/// Muslim West African women.
pub const WEST_AFRICAN_MUSLIM_FEMALE: Weighted = &[
    ("Aminata", 15), ("Fatmata", 12), ("Hauwa", 8), ("Zainab", 10), ("Mariama", 10),
    ("Isatu", 8), ("Kadiatu", 8), ("Hawa", 8), ("Adama", 8), ("Fatima", 8),
    ("Binta", 6), ("Haja", 5), ("Ramatu", 5), ("Jeneba", 5), ("Marie", 5),
];

/// Christian given names used across Nigerian and Ghanaian families, men.
pub const WEST_AFRICAN_CHRISTIAN_MALE: Weighted = &[
    ("Emmanuel", 45), ("Samuel", 40), ("Daniel", 35), ("David", 35), ("Michael", 30),
    ("Joseph", 30), ("John", 25), ("Stephen", 20), ("Victor", 20), ("Godwin", 10),
    ("Prince", 20), ("Isaac", 20), ("Ebenezer", 10), ("Peter", 15), ("Paul", 15),
    ("Godfrey", 8), ("Francis", 12), ("Richard", 10), ("Benjamin", 12), ("Solomon", 10),
];

/// Christian given names used across Nigerian and Ghanaian families, women.
pub const WEST_AFRICAN_CHRISTIAN_FEMALE: Weighted = &[
    ("Blessing", 30), ("Grace", 35), ("Mercy", 20), ("Faith", 25), ("Patience", 20),
    ("Precious", 20), ("Gift", 10), ("Comfort", 15), ("Esther", 25), ("Deborah", 25),
    ("Ruth", 20), ("Mary", 25), ("Elizabeth", 20), ("Joy", 20), ("Favour", 10),
    ("Rebecca", 15), ("Victoria", 15), ("Juliet", 10), ("Gloria", 10), ("Priscilla", 10),
];

// ----- East African -----

/// Somali (and Sudanese) men.
pub const SOMALI_MALE: Weighted = &[
    ("Abdirahman", 35), ("Abdullahi", 40), ("Abdi", 45), ("Abdikadir", 20), ("Abdirizak", 15),
    ("Abdiaziz", 15), ("Abdulkadir", 15), ("Mohamed", 120), ("Mohamud", 40), ("Ahmed", 60),
    ("Ali", 50), ("Hassan", 50), ("Hussein", 35), ("Omar", 40), ("Yusuf", 35),
    ("Ibrahim", 35), ("Ismail", 30), ("Osman", 25), ("Said", 20), ("Farah", 25),
    ("Mahad", 20), ("Liban", 20), ("Guled", 15), ("Hamza", 20), ("Bashir", 15),
    ("Khalid", 15), ("Abdulrahman", 10), ("Musa", 15), ("Abdiwali", 10), ("Mukhtar", 10),
    ("Jama", 15),
];

/// Somali (and Sudanese) women.
pub const SOMALI_FEMALE: Weighted = &[
    ("Hodan", 30), ("Fadumo", 35), ("Hawa", 30), ("Amina", 40), ("Asha", 35),
    ("Sahra", 30), ("Hibo", 20), ("Ifrah", 20), ("Ayan", 25), ("Nasra", 20),
    ("Deeqa", 20), ("Sagal", 15), ("Maryan", 20), ("Halimo", 20), ("Khadija", 30),
    ("Faadumo", 10), ("Istahil", 10), ("Ubah", 10), ("Ilhan", 10), ("Muna", 15),
    ("Zamzam", 10), ("Safiya", 12), ("Fatima", 25), ("Nimco", 15), ("Sumaya", 12),
    ("Leyla", 10), ("Hamdi", 10), ("Anab", 8), ("Idil", 8),
];

/// Eritrean and Ethiopian men.
pub const HABESHA_MALE: Weighted = &[
    ("Yonas", 15), ("Tesfaye", 10), ("Samuel", 15), ("Daniel", 15), ("Mebrahtu", 6),
    ("Berhane", 8), ("Dawit", 10), ("Habtom", 6), ("Filmon", 8), ("Merhawi", 6),
    ("Tekle", 5), ("Yohannes", 8), ("Biniam", 8), ("Henok", 6), ("Robel", 6),
    ("Amanuel", 8), ("Mulugeta", 5), ("Tewodros", 5), ("Kidane", 5), ("Abel", 6),
    ("Natnael", 5), ("Michael", 6),
];

/// Eritrean and Ethiopian women.
pub const HABESHA_FEMALE: Weighted = &[
    ("Helen", 12), ("Senait", 8), ("Selam", 8), ("Tsega", 6), ("Rahel", 8),
    ("Mekdes", 6), ("Hanna", 8), ("Yordanos", 6), ("Feven", 6), ("Saba", 8),
    ("Luwam", 6), ("Winta", 6), ("Meron", 6), ("Bethlehem", 5), ("Hiwet", 5),
    ("Ruth", 5), ("Almaz", 5), ("Tigist", 5), ("Sara", 5), ("Eden", 5),
    ("Frehiwot", 4), ("Abeba", 4),
];

// ----- South Asian -----

/// Pakistani men.
pub const PAKISTANI_MALE: Weighted = &[
    ("Mohammed", 300), ("Muhammad", 150), ("Mohammad", 40), ("Muhammed", 20), ("Imran", 50),
    ("Adeel", 20), ("Asif", 35), ("Tariq", 35), ("Zubair", 25), ("Zahid", 30),
    ("Shahid", 30), ("Kashif", 25), ("Usman", 35), ("Umar", 35), ("Bilal", 40),
    ("Hamza", 40), ("Ali", 50), ("Amir", 30), ("Aamir", 20), ("Arshad", 20),
    ("Nadeem", 25), ("Naveed", 20), ("Sajid", 25), ("Khalid", 25), ("Abdul", 30),
    ("Faisal", 25), ("Irfan", 25), ("Waqas", 20), ("Waseem", 25), ("Yasir", 20),
    ("Rizwan", 20), ("Haroon", 15), ("Adil", 20), ("Ahmed", 35), ("Ayaz", 12),
    ("Zeeshan", 15), ("Sohail", 15), ("Rashid", 15), ("Mohsin", 15), ("Danyal", 10),
    ("Ishaq", 10), ("Zulfiqar", 10), ("Shazad", 12), ("Atif", 12), ("Hassan", 25),
];

/// Pakistani women.
pub const PAKISTANI_FEMALE: Weighted = &[
    ("Aisha", 40), ("Ayesha", 30), ("Fatima", 45), ("Nusrat", 15), ("Nazia", 25),
    ("Shazia", 30), ("Sadia", 25), ("Saima", 25), ("Samina", 20), ("Rubina", 20),
    ("Bushra", 20), ("Farah", 20), ("Nadia", 25), ("Sana", 25), ("Hina", 20),
    ("Amina", 20), ("Zainab", 25), ("Maryam", 30), ("Mehreen", 12), ("Rukhsana", 20),
    ("Nasreen", 20), ("Shabana", 20), ("Parveen", 20), ("Shamim", 10), ("Sobia", 12),
    ("Uzma", 15), ("Iqra", 15), ("Noor", 15), ("Hafsa", 12), ("Kiran", 15),
    ("Tahira", 10), ("Asma", 20), ("Sumaira", 12), ("Naila", 10), ("Aliya", 10),
    ("Yasmin", 20), ("Saba", 12), ("Rabia", 15),
];

/// Bangladeshi men.
pub const BANGLADESHI_MALE: Weighted = &[
    ("Mohammed", 250), ("Muhammad", 80), ("Abdul", 80), ("Shahid", 20), ("Jamal", 20),
    ("Rahim", 20), ("Kamal", 25), ("Shamim", 20), ("Shahin", 15), ("Shahed", 15),
    ("Abul", 20), ("Rashid", 20), ("Jahangir", 15), ("Anwar", 20), ("Ruhul", 12),
    ("Mizanur", 12), ("Mahbub", 12), ("Habibur", 12), ("Atiqur", 10), ("Shafiqur", 10),
    ("Ashraf", 15), ("Nazrul", 12), ("Saiful", 15), ("Tanvir", 15), ("Rubel", 12),
    ("Sohel", 12), ("Shipon", 8), ("Rafiq", 12), ("Foysal", 10), ("Imran", 20),
    ("Rayhan", 12), ("Sabbir", 10), ("Jubair", 8), ("Ahmed", 20), ("Ali", 20),
    ("Abdur", 15), ("Mahfuz", 8), ("Salman", 10),
];

/// Bangladeshi women.
pub const BANGLADESHI_FEMALE: Weighted = &[
    ("Nusrat", 20), ("Fatema", 20), ("Taslima", 15), ("Shirin", 15), ("Rahima", 15),
    ("Rokeya", 10), ("Nasima", 15), ("Hasina", 12), ("Salma", 20), ("Shahana", 15),
    ("Sultana", 15), ("Jahanara", 10), ("Ruksana", 15), ("Halima", 15), ("Amina", 15),
    ("Sumaiya", 12), ("Tahmina", 12), ("Farzana", 15), ("Sharmin", 15), ("Shamima", 15),
    ("Jesmin", 10), ("Rumana", 12), ("Mahmuda", 8), ("Nazma", 12), ("Rehana", 12),
    ("Afroza", 8), ("Momota", 6), ("Tania", 10), ("Lima", 6), ("Sadia", 12),
    ("Aisha", 15), ("Fatima", 15), ("Sabrina", 10), ("Rumi", 6),
];

// ----- Indian -----

/// Sikh men (Punjabi given names, mostly unisex).
pub const SIKH_MALE: Weighted = &[
    ("Gurpreet", 30), ("Harjit", 20), ("Harpreet", 25), ("Jaswinder", 20), ("Kulwinder", 20),
    ("Manjit", 20), ("Sukhwinder", 15), ("Amarjit", 15), ("Baljit", 15), ("Jaspal", 12),
    ("Parminder", 15), ("Ranjit", 15), ("Harvinder", 15), ("Jasbir", 12), ("Gurdeep", 12),
    ("Manpreet", 15), ("Balwinder", 12), ("Jagdeep", 10), ("Hardeep", 12), ("Rajinder", 15),
    ("Ravinder", 15), ("Tejinder", 8), ("Kuldeep", 10), ("Sukhdev", 8), ("Gurinder", 8),
    ("Navdeep", 8), ("Jaspreet", 8), ("Amandeep", 10), ("Gurjit", 8), ("Harjinder", 8),
    ("Davinder", 10), ("Bhupinder", 8), ("Satnam", 8), ("Jagjit", 6),
];

/// Sikh women.
pub const SIKH_FEMALE: Weighted = &[
    ("Gurpreet", 25), ("Harjit", 15), ("Harpreet", 20), ("Jaswinder", 15), ("Kulwinder", 15),
    ("Manjit", 15), ("Sukhwinder", 10), ("Amarjit", 10), ("Baljit", 10), ("Rajinder", 12),
    ("Parminder", 12), ("Jasbir", 10), ("Manpreet", 15), ("Simran", 15), ("Navdeep", 10),
    ("Jaspreet", 15), ("Kamaljit", 8), ("Balbir", 8), ("Amandeep", 12), ("Harjinder", 8),
    ("Gurdeep", 8), ("Ravinder", 10), ("Kiranjit", 8), ("Sukhjit", 6), ("Rupinder", 8),
    ("Jasvir", 6), ("Paramjit", 8), ("Sandeep", 6), ("Davinder", 8), ("Pardeep", 5),
];

/// Hindu men (Gujarati, Punjabi Hindu, North and South Indian).
pub const HINDU_MALE: Weighted = &[
    ("Rajesh", 30), ("Sanjay", 30), ("Sandeep", 20), ("Amit", 30), ("Anil", 25),
    ("Ashok", 25), ("Vijay", 25), ("Suresh", 20), ("Ramesh", 20), ("Dinesh", 20),
    ("Mahesh", 15), ("Rakesh", 20), ("Nikhil", 15), ("Rahul", 25), ("Ravi", 25),
    ("Vikram", 15), ("Arun", 15), ("Deepak", 20), ("Pradeep", 15), ("Hitesh", 15),
    ("Nilesh", 15), ("Kiran", 10), ("Manoj", 15), ("Jitendra", 10), ("Prakash", 12),
    ("Krishna", 10), ("Arjun", 12), ("Rohan", 12), ("Sachin", 12), ("Kishan", 8),
    ("Mehul", 8), ("Ketan", 8), ("Jayesh", 8), ("Bhavesh", 8), ("Chirag", 8),
    ("Paresh", 8), ("Vinod", 10), ("Naresh", 8), ("Alpesh", 6), ("Sunil", 15),
    ("Mukesh", 10), ("Pankaj", 8),
];

/// Hindu women.
pub const HINDU_FEMALE: Weighted = &[
    ("Priya", 30), ("Sunita", 25), ("Anita", 25), ("Pooja", 20), ("Neha", 20),
    ("Kavita", 20), ("Rekha", 15), ("Meena", 15), ("Shobha", 10), ("Geeta", 15),
    ("Asha", 15), ("Nisha", 20), ("Seema", 20), ("Reena", 15), ("Anjali", 15),
    ("Divya", 12), ("Hema", 10), ("Sangeeta", 15), ("Sonia", 15), ("Shilpa", 12),
    ("Ritu", 10), ("Jyoti", 12), ("Priyanka", 12), ("Bhavna", 10), ("Hansa", 8),
    ("Nirmala", 8), ("Hetal", 8), ("Krupa", 6), ("Falguni", 6), ("Jayshree", 6),
    ("Manisha", 12), ("Usha", 10), ("Shanti", 6), ("Kajal", 8), ("Dipika", 8),
    ("Komal", 8), ("Nita", 8),
];

/// Goan and other Indian Catholic men.
pub const GOAN_MALE: Weighted = &[
    ("Anthony", 12), ("Joseph", 12), ("Francis", 10), ("Peter", 8), ("Savio", 5),
    ("Agnelo", 4), ("John", 8), ("Michael", 8), ("Xavier", 5), ("Felix", 4),
    ("Cajetan", 3), ("Joaquim", 3), ("Rosario", 3), ("Lawrence", 5), ("Melwyn", 3),
    ("Clive", 4),
];

/// Goan and other Indian Catholic women.
pub const GOAN_FEMALE: Weighted = &[
    ("Maria", 12), ("Rita", 6), ("Fatima", 6), ("Sharon", 6), ("Lavina", 4),
    ("Sylvia", 5), ("Jacinta", 4), ("Flavia", 4), ("Philomena", 4), ("Anita", 5),
    ("Cynthia", 5), ("Agnes", 4), ("Veronica", 5), ("Josephine", 5), ("Bernadette", 4),
];

// ----- Chinese -----

/// Hong Kong and Cantonese-speaking men (many use an English name).
pub const CANTONESE_MALE: Weighted = &[
    ("Kwok-Wai", 8), ("Ka-Ho", 8), ("Chi-Keung", 6), ("Wing", 10), ("Kin", 8),
    ("Wai", 10), ("Man-Kit", 5), ("Chun", 6), ("Siu-Ming", 5), ("Ho-Yin", 5),
    ("Kevin", 20), ("David", 20), ("Michael", 20), ("Jason", 15), ("Peter", 15),
    ("Tony", 15), ("Eric", 12), ("Raymond", 10), ("Alan", 10), ("Kenneth", 10),
    ("Wilson", 8), ("Alex", 8), ("Ken", 6), ("Andy", 10), ("Stephen", 8),
    ("Patrick", 6), ("Dennis", 6),
];

/// Hong Kong and Cantonese-speaking women.
pub const CANTONESE_FEMALE: Weighted = &[
    ("Mei-Ling", 8), ("Wai-Ling", 8), ("Ka-Yan", 6), ("Suk-Yee", 5), ("Siu-Wah", 4),
    ("Michelle", 20), ("Grace", 15), ("Jenny", 15), ("Helen", 15), ("Amy", 15),
    ("Karen", 12), ("Winnie", 12), ("Vivian", 10), ("Cindy", 10), ("Jessica", 10),
    ("Annie", 10), ("Lily", 10), ("Carmen", 8), ("Candy", 6), ("Fiona", 8),
    ("Joyce", 8), ("Mandy", 8), ("Queenie", 5), ("Shirley", 6), ("Wendy", 8),
    ("Ivy", 6), ("Yvonne", 6),
];

/// Mainland Chinese men (pinyin).
pub const MANDARIN_MALE: Weighted = &[
    ("Wei", 35), ("Jun", 25), ("Li", 20), ("Lei", 20), ("Jian", 15),
    ("Hao", 15), ("Ming", 20), ("Yong", 12), ("Qiang", 12), ("Tao", 12),
    ("Jie", 15), ("Chao", 10), ("Feng", 12), ("Bin", 10), ("Hui", 8),
    ("Xin", 10), ("Yang", 12), ("Peng", 8), ("Zhi", 8), ("Kai", 10),
    ("Yu", 10), ("Long", 6), ("Bo", 8), ("Gang", 8), ("Hua", 8),
    ("Zhiwei", 6), ("Jianguo", 5), ("Haoran", 6), ("Yifan", 6), ("Zihao", 6),
];

/// Mainland Chinese women (pinyin).
pub const MANDARIN_FEMALE: Weighted = &[
    ("Mei", 25), ("Li", 20), ("Ying", 20), ("Hui", 15), ("Xiaoling", 10),
    ("Yan", 20), ("Jing", 20), ("Fang", 15), ("Lin", 15), ("Xiu", 10),
    ("Hong", 12), ("Min", 12), ("Na", 10), ("Qing", 10), ("Yu", 12),
    ("Lan", 10), ("Ling", 15), ("Xia", 10), ("Xiaomei", 8), ("Jiayi", 8),
    ("Yue", 8), ("Ting", 8), ("Jingjing", 6), ("Wen", 8), ("Xin", 8),
];

// ----- Middle East -----

/// Arab men (Iraqi, Syrian, Egyptian, Libyan, Yemeni, Sudanese; also
/// Afghan and other Muslim names recorded under "Other").
pub const ARAB_MALE: Weighted = &[
    ("Ahmed", 60), ("Ahmad", 30), ("Mohammed", 70), ("Mohamed", 40), ("Muhammad", 20),
    ("Omar", 40), ("Khalid", 30), ("Ali", 45), ("Hassan", 35), ("Hussein", 30),
    ("Mahmoud", 25), ("Mustafa", 30), ("Youssef", 20), ("Yousef", 12), ("Ibrahim", 30),
    ("Abdullah", 30), ("Abdulrahman", 15), ("Karim", 20), ("Samir", 15), ("Tariq", 15),
    ("Walid", 15), ("Faisal", 15), ("Hamza", 15), ("Nasser", 12), ("Saleh", 12),
    ("Rami", 15), ("Ziad", 12), ("Bilal", 12), ("Amr", 10), ("Tamer", 8),
    ("Jamal", 12), ("Adel", 12), ("Majid", 10), ("Said", 10), ("Sami", 12),
    ("Fadi", 10), ("Hadi", 8), ("Wael", 8), ("Haider", 12), ("Abbas", 12),
];

/// Arab women.
pub const ARAB_FEMALE: Weighted = &[
    ("Fatima", 50), ("Layla", 20), ("Leila", 15), ("Aisha", 25), ("Maryam", 25),
    ("Mariam", 20), ("Noor", 20), ("Nour", 15), ("Sara", 25), ("Rana", 15),
    ("Rania", 15), ("Hala", 12), ("Huda", 12), ("Amal", 15), ("Salma", 15),
    ("Yasmin", 20), ("Dina", 15), ("Lina", 12), ("Reem", 15), ("Zainab", 20),
    ("Hanan", 12), ("Samira", 12), ("Nadia", 15), ("Randa", 8), ("Asma", 12),
    ("Rasha", 10), ("Hiba", 12), ("Iman", 12), ("Ghada", 8), ("Dalia", 10),
    ("Mona", 10), ("Shaima", 8), ("Nada", 10), ("Khadija", 15),
];

/// Turkish and Kurdish men.
pub const TURKISH_MALE: Weighted = &[
    ("Mehmet", 60), ("Mustafa", 45), ("Ahmet", 40), ("Ali", 40), ("Hüseyin", 30),
    ("Hasan", 35), ("İbrahim", 20), ("İsmail", 15), ("Osman", 20), ("Murat", 35),
    ("Emre", 30), ("Burak", 25), ("Serkan", 20), ("Kemal", 15), ("Cem", 15),
    ("Can", 15), ("Yusuf", 20), ("Ömer", 15), ("Hakan", 20), ("Erdal", 12),
    ("Erkan", 12), ("Volkan", 12), ("Tolga", 10), ("Ozan", 10), ("Selim", 10),
    ("Fatih", 15), ("Kadir", 12), ("Recep", 10), ("Halil", 12), ("Uğur", 12),
    ("Azad", 15), ("Rebin", 10), ("Dilshad", 8), ("Rawand", 8), ("Karwan", 10),
    ("Hemin", 8), ("Shvan", 6), ("Kawa", 8), ("Baran", 10), ("Serhat", 10),
    ("Zana", 8), ("İlker", 8),
];

/// Turkish and Kurdish women.
pub const TURKISH_FEMALE: Weighted = &[
    ("Ayşe", 40), ("Fatma", 35), ("Zeynep", 30), ("Elif", 30), ("Emine", 25),
    ("Hatice", 20), ("Meryem", 20), ("Özlem", 20), ("Esra", 15), ("Merve", 15),
    ("Büşra", 12), ("Derya", 12), ("Gül", 10), ("Gülsüm", 8), ("Sevgi", 10),
    ("Hülya", 12), ("Songül", 10), ("Dilek", 12), ("Sibel", 12), ("Tuğba", 10),
    ("Ebru", 12), ("Aylin", 12), ("Selin", 10), ("Melek", 10), ("Rojda", 8),
    ("Berivan", 8), ("Zelal", 6), ("Hêvî", 4), ("Jiyan", 6), ("Dilan", 8),
    ("Nazdar", 5), ("Shilan", 6), ("Roza", 6), ("Beritan", 4),
];
