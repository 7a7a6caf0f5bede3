import { describe, expect, it } from 'vitest';
import {
  bloomParameters,
  diceSimilarity,
  nameBands,
  nameBloomFilter,
  type MatchingKey,
} from './matching.blind.js';
import { encodeSelectors } from './matching.encode.js';
import { normalisePersonName } from './matching.normalise.js';

/**
 * Issue 8: match and no-match quality on a generated set with known truth. Made-up people (names drawn at random
 * from common given and family names of eight naming traditions — never a real person's record) go through the
 * production encoding (encodeSelectors under a fixed test matching key) and are decided exactly as screening
 * (matching.service.ts `screen`) decides: an equal blind index of a person selector, OR the same block and key
 * version, a shared candidate band key (matching.blind.ts `nameBands`) and Dice ≥ bloomParameters.threshold. Precision and recall are counted over every pair of records that
 * share a block (the pairs screening compares), per decision path and per kind of variant. The table is printed
 * and quoted in docs/matching.md ("Recall and precision on a generated set"); the bounds below sit a little under
 * the measured numbers, so an encoding or normalisation change that loses quality fails here.
 */

const key: MatchingKey = { version: 1, key: Buffer.alloc(32, 7) };
const seed = 20260815;
const identitiesPerTradition = 250;

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness: a Weyl sequence through a 32-bit finaliser (murmur3's fmix32).

type Random = () => number;

function seeded(initial: number): Random {
  let state = initial >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

// ---------------------------------------------------------------------------------------------------------------
// Names. A spelling is a name in its native script (absent for Latin-script traditions) and its Latin forms: the
// first is the form a record is usually written in (with its diacritics), the others are other romanisations.

interface Spelling {
  native?: string;
  latin: readonly string[];
}

const s = (native: string | undefined, ...latin: string[]): Spelling =>
  native === undefined ? { latin } : { native, latin };
const latinOnly = (...names: string[]): Spelling[] => names.map((name) => s(undefined, name));

const vietnamese = {
  family: latinOnly(
    'Nguyễn',
    'Trần',
    'Lê',
    'Phạm',
    'Hoàng',
    'Huỳnh',
    'Phan',
    'Vũ',
    'Võ',
    'Đặng',
    'Bùi',
    'Đỗ',
    'Hồ',
    'Ngô',
    'Dương',
    'Lý',
    'Đinh',
    'Trương',
  ),
  middle: latinOnly('Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Thanh', 'Ngọc', 'Quốc', 'Xuân', 'Kim', 'Gia'),
  given: latinOnly(
    'An',
    'Bình',
    'Cường',
    'Dũng',
    'Hải',
    'Hùng',
    'Khải',
    'Linh',
    'Lan',
    'Mai',
    'Nam',
    'Nhung',
    'Phương',
    'Quang',
    'Sơn',
    'Thảo',
    'Trang',
    'Tuấn',
    'Việt',
    'Yến',
    'Hương',
    'Hạnh',
    'Long',
    'Thủy',
  ),
};

const thai = {
  given: [
    s('สมชาย', 'Somchai', 'Somchay'),
    s('สมศักดิ์', 'Somsak', 'Somsack'),
    s('สมพร', 'Somporn', 'Somphon', 'Somphorn'),
    s('วิชัย', 'Wichai', 'Vichai'),
    s('ประเสริฐ', 'Prasert', 'Prasoet'),
    s('สุรชัย', 'Surachai', 'Surachay'),
    s('อนันต์', 'Anan', 'Anant'),
    s('กมล', 'Kamon', 'Kamol'),
    s('มาลี', 'Malee', 'Mali'),
    s('สุดา', 'Suda'),
    s('นภา', 'Napha', 'Napa'),
    s('ปราณี', 'Pranee', 'Prani'),
    s('วันดี', 'Wandee', 'Wandi'),
    s('บุญมี', 'Boonmee', 'Bunmi'),
    s('ธนพล', 'Thanaphon', 'Thanapol'),
    s('กิตติ', 'Kitti'),
    s('จันทร์เพ็ญ', 'Chanphen', 'Janpen'),
    s('ศิริพร', 'Siriporn', 'Siriphon'),
    s('อรุณ', 'Arun', 'Aroon'),
    s('ชัยวัฒน์', 'Chaiwat', 'Chaiwath'),
    s('พิมพ์', 'Pim', 'Phim'),
    s('สุนทร', 'Sunthorn', 'Soonthorn', 'Sunthon'),
  ],
  family: [
    s('ใจดี', 'Jaidee', 'Chaidi', 'Jaidi'),
    s('สุขใจ', 'Sukjai', 'Sukchai'),
    s('ศรีสวัสดิ์', 'Srisawat', 'Sisawat'),
    s('บุญมา', 'Boonma', 'Bunma'),
    s('แก้วมณี', 'Kaewmanee', 'Kaeomani'),
    s('ทองดี', 'Thongdee', 'Thongdi', 'Tongdee'),
    s('รักไทย', 'Rakthai', 'Ruckthai'),
    s('มั่นคง', 'Mankong', 'Munkong'),
    s('วงศ์ใหญ่', 'Wongyai', 'Wongyay'),
    s('พรหมมา', 'Promma', 'Phromma'),
    s('ศรีสุข', 'Srisuk', 'Sisuk'),
    s('เพชรรัตน์', 'Phetcharat', 'Petcharat'),
    s('อินทร์แก้ว', 'Inkaew', 'Inkaeo'),
    s('ชัยมงคล', 'Chaimongkol', 'Chaimongkhon'),
    s('สายทอง', 'Saithong', 'Saitong'),
    s('บุญเรือง', 'Boonruang', 'Bunrueang'),
    s('ศรีวงศ์', 'Sriwong', 'Siwong'),
    s('แสงทอง', 'Saengthong', 'Sangthong'),
    s('จันทร์หอม', 'Chanhom', 'Janhom'),
    s('วงศ์สวัสดิ์', 'Wongsawat', 'Wongsawad'),
  ],
};

const khmer = {
  family: [
    s('សុខ', 'Sok'),
    s('ជា', 'Chea', 'Chear'),
    s('ហេង', 'Heng'),
    s('លី', 'Ly', 'Lee'),
    s('គឹម', 'Kim'),
    s('ស៊ុន', 'Sun', 'Soun'),
    s('ឈឹម', 'Chhim', 'Chim'),
    s('ម៉ៅ', 'Mao'),
    s('ព្រំ', 'Prum', 'Prom'),
    s('អ៊ុង', 'Ung', 'Oung'),
    s('សេង', 'Seng'),
    s('ខៀវ', 'Khieu', 'Khiev'),
    s('ទេព', 'Tep', 'Teb'),
    s('យិន', 'Yin'),
    s('ណុប', 'Nop'),
    s('ឡុង', 'Long'),
    s('ស៊ឹម', 'Sim', 'Sem'),
  ],
  given: [
    s('សុខា', 'Sokha', 'Sokhar'),
    s('ចន្ទា', 'Chanda', 'Chantha'),
    s('សុភាព', 'Sopheap', 'Sopheab'),
    s('ដារ៉ា', 'Dara', 'Darah'),
    s('វណ្ណា', 'Vanna', 'Vannah'),
    s('សុផល', 'Sophal', 'Sophorl'),
    s('ពិសី', 'Pisey', 'Pisei'),
    s('ស្រីមុំ', 'Sreymom', 'Sreimom'),
    s('បុប្ផា', 'Bopha', 'Bophar'),
    s('រតនា', 'Ratana', 'Rathana', 'Rottana'),
    s('វិចិត្រ', 'Vichet', 'Vicheth'),
    s('ធារី', 'Theary', 'Thearie'),
    s('សុវណ្ណ', 'Sovann', 'Sovan'),
    s('សំណាង', 'Samnang', 'Somnang'),
    s('វាសនា', 'Veasna', 'Veasana'),
    s('ស្រីនាង', 'Sreyneang', 'Sreynang'),
    s('រស្មី', 'Reaksmey', 'Raksmey'),
  ],
};

const arabic = {
  male: [
    s('محمد', 'Mohammed', 'Muhammad', 'Mohamed', 'Mohamad'),
    s('أحمد', 'Ahmed', 'Ahmad'),
    s('علي', 'Ali'),
    s('حسن', 'Hassan', 'Hasan'),
    s('حسين', 'Hussein', 'Hussain', 'Husayn', 'Hossein'),
    s('يوسف', 'Youssef', 'Yusuf', 'Yousef'),
    s('خالد', 'Khaled', 'Khalid'),
    s('عمر', 'Omar', 'Umar'),
    s('محمود', 'Mahmoud', 'Mahmud'),
    s('إبراهيم', 'Ibrahim', 'Ebrahim'),
    s('مصطفى', 'Mustafa', 'Moustafa', 'Mostafa'),
    s('عبد الرحمن', 'Abdelrahman', 'Abdul Rahman', 'Abdulrahman', 'Abd al-Rahman'),
  ],
  female: [
    s('فاطمة', 'Fatima', 'Fatma', 'Fatemah'),
    s('عائشة', 'Aisha', 'Aicha', 'Ayesha'),
    s('مريم', 'Maryam', 'Mariam', 'Meryem'),
    s('زينب', 'Zainab', 'Zaynab', 'Zeinab'),
    s('نور', 'Nour', 'Noor', 'Nur'),
    s('ليلى', 'Layla', 'Leila', 'Laila'),
    s('سارة', 'Sara', 'Sarah'),
    s('هدى', 'Huda', 'Hoda'),
  ],
  family: [
    s('حداد', 'Haddad'),
    s('الخطيب', 'Al-Khatib', 'Alkhatib', 'El Khatib'),
    s('منصور', 'Mansour', 'Mansur'),
    s('سليمان', 'Suleiman', 'Sulaiman', 'Soliman'),
    s('عثمان', 'Osman', 'Othman', 'Uthman'),
    s('النجار', 'Al-Najjar', 'Alnajjar', 'El Naggar'),
    s('الشامي', 'Al-Shami', 'Alshami', 'El Shamy'),
    s('حمدان', 'Hamdan'),
    s('صالح', 'Saleh', 'Salih'),
    s('عبد الله', 'Abdallah', 'Abdullah', 'Abd Allah'),
    s('يعقوب', 'Yacoub', 'Yaqub', 'Yakoub'),
    s('قاسم', 'Qasim', 'Kassem', 'Kasim'),
    s('جابر', 'Jaber', 'Jabir'),
    s('درويش', 'Darwish', 'Darwich'),
    s('العمري', 'Al-Omari', 'Alomari', 'El Omary'),
  ],
};

const cyrillic = {
  male: [
    s('Алексей', 'Aleksei', 'Alexei', 'Alexey', 'Aleksey'),
    s('Сергей', 'Sergei', 'Sergey'),
    s('Дмитрий', 'Dmitri', 'Dmitry', 'Dmitrii'),
    s('Юрий', 'Yuri', 'Yury', 'Iouri'),
    s('Андрей', 'Andrei', 'Andrey'),
    s('Николай', 'Nikolai', 'Nikolay'),
    s('Михаил', 'Mikhail', 'Mihail', 'Michail'),
    s('Иван', 'Ivan'),
    s('Александр', 'Aleksandr', 'Alexander', 'Alexandr'),
    s('Владимир', 'Vladimir', 'Wladimir'),
    s('Павел', 'Pavel'),
    s('Евгений', 'Yevgeny', 'Evgeny', 'Evgenii'),
  ],
  female: [
    s('Ольга', 'Olga'),
    s('Наталья', 'Natalia', 'Natalya', 'Nataliya'),
    s('Елена', 'Elena', 'Yelena', 'Jelena'),
    s('Екатерина', 'Ekaterina', 'Yekaterina'),
    s('Татьяна', 'Tatiana', 'Tatyana'),
    s('Юлия', 'Yulia', 'Yuliya', 'Julia'),
    s('Ксения', 'Ksenia', 'Kseniya', 'Xenia'),
    s('Анастасия', 'Anastasia', 'Anastasiya'),
    s('Мария', 'Maria', 'Mariya'),
    s('Светлана', 'Svetlana'),
    s('Ирина', 'Irina'),
    s('Дарья', 'Daria', 'Darya', 'Dariya'),
  ],
  // Patronymics, written by some after the given name.
  patronymicMale: [
    s('Иванович', 'Ivanovich'),
    s('Сергеевич', 'Sergeevich', 'Sergeyevich'),
    s('Петрович', 'Petrovich'),
    s('Николаевич', 'Nikolaevich', 'Nikolayevich'),
    s('Александрович', 'Aleksandrovich', 'Alexandrovich'),
    s('Владимирович', 'Vladimirovich'),
  ],
  patronymicFemale: [
    s('Ивановна', 'Ivanovna'),
    s('Сергеевна', 'Sergeevna', 'Sergeyevna'),
    s('Петровна', 'Petrovna'),
    s('Николаевна', 'Nikolaevna', 'Nikolayevna'),
    s('Александровна', 'Aleksandrovna', 'Alexandrovna'),
    s('Владимировна', 'Vladimirovna'),
  ],
  // Masculine forms; the feminine adds -а / -a except the invariable -енко names.
  family: [
    s('Смирнов', 'Smirnov'),
    s('Кузнецов', 'Kuznetsov', 'Kouznetsov', 'Kuznecov'),
    s('Иванов', 'Ivanov'),
    s('Попов', 'Popov'),
    s('Соколов', 'Sokolov'),
    s('Лебедев', 'Lebedev'),
    s('Козлов', 'Kozlov'),
    s('Новиков', 'Novikov'),
    s('Морозов', 'Morozov'),
    s('Волков', 'Volkov'),
    s('Соловьёв', 'Solovyov', 'Soloviev', 'Solovyev'),
    s('Васильев', 'Vasiliev', 'Vasilyev', 'Vassiliev'),
    s('Зайцев', 'Zaitsev', 'Zaytsev'),
    s('Шевченко', 'Shevchenko', 'Shevtchenko'),
    s('Коваленко', 'Kovalenko'),
    s('Бондаренко', 'Bondarenko'),
    s('Ткаченко', 'Tkachenko'),
  ],
};

const feminineSurname = (name: Spelling): Spelling =>
  name.native?.endsWith('енко')
    ? name
    : { native: `${name.native}а`, latin: name.latin.map((form) => `${form}a`) };

// Ethiopian names are a given name and the father's given name.
const ethiopian = {
  male: [
    s('ተስፋዬ', 'Tesfaye', 'Tesfay', 'Tesfaie'),
    s('አበበ', 'Abebe'),
    s('ከበደ', 'Kebede', 'Kebbede'),
    s('ታደሰ', 'Tadesse', 'Tadese'),
    s('ግርማ', 'Girma', 'Germa'),
    s('በቀለ', 'Bekele', 'Bekelle'),
    s('ወርቁ', 'Worku', 'Werku'),
    s('ዳዊት', 'Dawit', 'Dawid'),
    s('ዮሐንስ', 'Yohannes', 'Yohanes'),
    s('መኮንን', 'Mekonnen', 'Mekonen'),
    s('ኃይሌ', 'Haile', 'Hayle'),
    s('ሙሉጌታ', 'Mulugeta'),
    s('አለሙ', 'Alemu', 'Alemou'),
    s('ብርሃን', 'Birhan', 'Berhane', 'Brhan'),
    s('ገብረማርያም', 'Gebremariam', 'Gebre Mariam', 'Gebremaryam'),
    s('ወልደማርያም', 'Woldemariam', 'Wolde Mariam', 'Weldemariam'),
    s('ኃይለማርያም', 'Hailemariam', 'Haile Mariam'),
    s('ተክሌ', 'Tekle', 'Teklay'),
    s('አሰፋ', 'Assefa', 'Asefa'),
    s('ደስታ', 'Desta'),
    s('ለማ', 'Lemma', 'Lema'),
  ],
  female: [
    s('ፀሐይ', 'Tsehay', 'Tsehai', 'Tsehaye'),
    s('መሰረት', 'Meseret', 'Mesert'),
    s('አልማዝ', 'Almaz'),
    s('ሕሩት', 'Hirut', 'Hiruth'),
    s('ሰላም', 'Selam'),
    s('ትዕግስት', 'Tigist', 'Tigest'),
    s('ብርቱካን', 'Birtukan', 'Bertukan'),
    s('መቅደስ', 'Mekdes', 'Meqdes'),
    s('ሃና', 'Hana', 'Hanna'),
    s('ማርታ', 'Marta', 'Martha'),
    s('ሳባ', 'Saba'),
    s('ቤተልሔም', 'Betelhem', 'Bethlehem'),
    s('ዘውዲቱ', 'Zewditu', 'Zauditu'),
  ],
};

const spanish = {
  given: [
    ...latinOnly(
      'José',
      'María',
      'Juan',
      'Luis',
      'Carlos',
      'Jesús',
      'Ángel',
      'Andrés',
      'Sofía',
      'Lucía',
      'Camila',
      'Valentina',
      'Inés',
      'Raúl',
      'Sebastián',
      'Martín',
      'Tomás',
      'Joaquín',
      'Ramón',
      'Mónica',
      'Verónica',
      'Beatriz',
    ),
    s(undefined, 'Ximena', 'Jimena'),
  ],
  family: latinOnly(
    'García',
    'Hernández',
    'López',
    'Martínez',
    'González',
    'Rodríguez',
    'Pérez',
    'Sánchez',
    'Ramírez',
    'Flores',
    'Gómez',
    'Díaz',
    'Cruz',
    'Morales',
    'Muñoz',
    'Peña',
    'Ibáñez',
    'Núñez',
    'Castillo',
    'Ortiz',
    'Vargas',
  ),
};

const swahili = {
  given: [
    ...latinOnly(
      'Amina',
      'Juma',
      'Baraka',
      'Neema',
      'Rehema',
      'Zawadi',
      'Imani',
      'Halima',
      'Faraji',
      'Upendo',
      'Furaha',
      'Wanjiru',
      'Achieng',
    ),
    s(undefined, 'Hamisi', 'Hamis'),
    s(undefined, 'Athumani', 'Athuman', 'Othmani'),
    s(undefined, 'Saidi', 'Said'),
    s(undefined, 'Rashidi', 'Rashid'),
    s(undefined, 'Mohamedi', 'Mohamed'),
  ],
  family: [
    ...latinOnly(
      'Mwangi',
      'Otieno',
      'Kamau',
      'Njoroge',
      'Ochieng',
      'Wanjiku',
      'Mutua',
      'Kiprono',
      'Mrisho',
      'Mushi',
      'Kimaro',
      'Mollel',
      'Lyimo',
      'Swai',
    ),
    s(undefined, 'Massawe', 'Masawe'),
  ],
};

interface Tradition {
  label: string;
  nationalities: readonly string[];
  /** Family name written first in the tradition's usual order. */
  familyFirst: boolean;
  /** Whether every name has a native-script form (the `script` variant). */
  script: boolean;
  given(random: Random, female: boolean): Spelling[];
  family(random: Random, female: boolean, given: Spelling[]): Spelling[];
}

const traditions: readonly Tradition[] = [
  {
    label: 'Vietnamese',
    nationalities: ['VN'],
    familyFirst: true,
    script: false,
    given: (random) => [pick(random, vietnamese.middle), pick(random, vietnamese.given)],
    family: (random) => [pick(random, vietnamese.family)],
  },
  {
    label: 'Thai',
    nationalities: ['TH'],
    familyFirst: false,
    script: true,
    given: (random) => [pick(random, thai.given)],
    family: (random) => [pick(random, thai.family)],
  },
  {
    label: 'Khmer',
    nationalities: ['KH'],
    familyFirst: true,
    script: true,
    // Some give two given names.
    given: (random) => {
      const own = pick(random, khmer.given);
      return random() < 0.3
        ? [
            own,
            pick(
              random,
              khmer.given.filter((name) => name !== own),
            ),
          ]
        : [own];
    },
    family: (random) => [pick(random, khmer.family)],
  },
  {
    label: 'Arabic',
    nationalities: ['SY', 'IQ', 'SD', 'EG', 'JO', 'YE'],
    familyFirst: false,
    script: true,
    // Given name, sometimes the father's name after it.
    given: (random, female) => {
      const own = pick(random, female ? arabic.female : arabic.male);
      return random() < 0.4
        ? [
            own,
            pick(
              random,
              arabic.male.filter((name) => name !== own),
            ),
          ]
        : [own];
    },
    family: (random) => [pick(random, arabic.family)],
  },
  {
    label: 'Cyrillic',
    nationalities: ['RU', 'UA', 'KZ', 'BY'],
    familyFirst: false,
    script: true,
    given: (random, female) => {
      const own = pick(random, female ? cyrillic.female : cyrillic.male);
      return random() < 0.3
        ? [own, pick(random, female ? cyrillic.patronymicFemale : cyrillic.patronymicMale)]
        : [own];
    },
    family: (random, female) => {
      const name = pick(random, cyrillic.family);
      return [female ? feminineSurname(name) : name];
    },
  },
  {
    label: "Amharic (Ge'ez)",
    nationalities: ['ET'],
    familyFirst: false,
    script: true,
    given: (random, female) => [pick(random, female ? ethiopian.female : ethiopian.male)],
    family: (random, _female, given) => [
      pick(
        random,
        ethiopian.male.filter((name) => name !== given[0]),
      ),
    ],
  },
  {
    label: 'Spanish',
    nationalities: ['MX', 'GT', 'CO', 'HN', 'SV'],
    familyFirst: false,
    script: false,
    given: (random) => [pick(random, spanish.given)],
    family: (random) => {
      const paternal = pick(random, spanish.family);
      return [
        paternal,
        pick(
          random,
          spanish.family.filter((name) => name !== paternal),
        ),
      ];
    },
  },
  {
    label: 'Swahili',
    nationalities: ['KE', 'TZ'],
    familyFirst: false,
    script: false,
    // Some write their father's name after their own.
    given: (random) => {
      const own = pick(random, swahili.given);
      return random() < 0.4
        ? [
            own,
            pick(
              random,
              swahili.given.filter((name) => name !== own),
            ),
          ]
        : [own];
    },
    family: (random) => [pick(random, swahili.family)],
  },
];

const allNationalities = traditions.flatMap((tradition) => tradition.nationalities);
const years = { first: 1965, count: 44 };

interface Name {
  tradition: Tradition;
  female: boolean;
  given: Spelling[];
  family: Spelling[];
}

function ordered(name: Name, familyFirst: boolean): Spelling[] {
  return familyFirst ? [...name.family, ...name.given] : [...name.given, ...name.family];
}

const written = (parts: readonly Spelling[], form: (spelling: Spelling) => string): string =>
  parts.map(form).join(' ');
const usual = (spelling: Spelling): string => spelling.latin[0]!;

function nameKey(raw: string): string {
  const result = normalisePersonName(raw);
  if (!result.ok) throw new Error(`generated name did not normalise: ${result.code}`);
  return result.value.key;
}

const withoutDiacritics = (text: string): string =>
  text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');

const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');

/** One keyboard slip in one word: a letter deleted, inserted, swapped with its neighbour or replaced. */
function typo(random: Random, text: string): string {
  const words = text.split(' ');
  const w = Math.floor(random() * words.length);
  const chars = [...words[w]!];
  const at = Math.floor(random() * chars.length);
  const letter = pick(random, letters);
  switch (Math.floor(random() * 4)) {
    case 0:
      if (chars.length >= 3) chars.splice(at, 1);
      else chars[at] = letter;
      break;
    case 1:
      chars.splice(at, 0, letter);
      break;
    case 2:
      if (at + 1 < chars.length) [chars[at], chars[at + 1]] = [chars[at + 1]!, chars[at]!];
      else chars.splice(at, 0, letter);
      break;
    default:
      chars[at] = letter;
  }
  words[w] = chars.join('');
  return words.join(' ');
}

// ---------------------------------------------------------------------------------------------------------------
// The generated set

const variantKinds = ['typo', 'diacritics', 'transliteration', 'script', 'order'] as const;
type VariantKind = (typeof variantKinds)[number];
const nearMissKinds = [
  'same family name',
  'same given name',
  'same name, other year and nationality',
  'same name, shares one block',
] as const;
type NearMissKind = (typeof nearMissKinds)[number];

interface Person {
  /** Who the record is about: records with the same identity are the same person. */
  identity: number;
  tradition: string;
  name: string;
  birthYear: number;
  nationality: string;
  variant?: VariantKind;
  nearMiss?: { kind: NearMissKind; of: number };
}

function generate(): { people: Person[]; identities: number } {
  const random = seeded(seed);
  const used = new Set<string>();
  const people: Person[] = [];
  let identities = 0;

  /** A name no other generated person has (folded as the normaliser folds it), or undefined when none is left. */
  const freshName = (
    tradition: Tradition,
    female: boolean,
    keep?: { given?: Spelling[]; family?: Spelling[] },
  ): Name | undefined => {
    for (let attempt = 0; attempt < 300; attempt++) {
      const given = keep?.given ?? tradition.given(random, female);
      const family = keep?.family ?? tradition.family(random, female, given);
      const name: Name = { tradition, female, given, family };
      const k = nameKey(written(ordered(name, tradition.familyFirst), usual));
      if (used.has(k)) continue;
      used.add(k);
      return name;
    }
    return undefined;
  };
  const otherYear = (year: number): number =>
    years.first + ((year - years.first + 1 + Math.floor(random() * (years.count - 1))) % years.count);
  const otherNationality = (nationality: string): string =>
    pick(
      random,
      allNationalities.filter((code) => code !== nationality),
    );

  for (let round = 0; round < identitiesPerTradition; round++) {
    for (const tradition of traditions) {
      const female = random() < 0.5;
      const name = freshName(tradition, female);
      if (!name) throw new Error(`no fresh ${tradition.label} name left`);
      const identity = identities++;
      const birthYear = years.first + Math.floor(random() * years.count);
      const nationality = pick(random, tradition.nationalities);
      const parts = ordered(name, tradition.familyFirst);
      const base = written(parts, usual);
      const record = (text: string, variant?: VariantKind): void => {
        people.push({ identity, tradition: tradition.label, name: text, birthYear, nationality, variant });
      };
      record(base);

      // The same person, written otherwise.
      for (let t = 0; t < 2; t++) {
        let slipped = typo(random, base);
        for (let retry = 0; nameKey(slipped) === nameKey(base) && retry < 20; retry++)
          slipped = typo(random, base);
        record(slipped, 'typo');
      }
      if (/[^\p{ASCII}]/u.test(base)) record(withoutDiacritics(base), 'diacritics');
      const respellable = parts.map((part, i) => (part.latin.length > 1 ? i : -1)).filter((i) => i >= 0);
      if (respellable.length > 0) {
        const forced = pick(random, respellable);
        record(
          parts
            .map((part, i) =>
              i === forced || (part.latin.length > 1 && random() < 0.5)
                ? pick(random, part.latin.slice(1))
                : usual(part),
            )
            .join(' '),
          'transliteration',
        );
      }
      if (tradition.script)
        record(
          written(parts, (part) => part.native!),
          'script',
        );
      record(written(ordered(name, !tradition.familyFirst), usual), 'order');

      // A different person who comes close. A name whose every sibling name is taken gets the other-block kind.
      const roll = random();
      const relative =
        roll < 0.35
          ? freshName(tradition, female, { family: name.family })
          : roll < 0.6
            ? freshName(tradition, female, { given: name.given })
            : undefined;
      const kind: NearMissKind = relative
        ? roll < 0.35
          ? 'same family name'
          : 'same given name'
        : roll < 0.9
          ? 'same name, other year and nationality'
          : 'same name, shares one block';
      const sharedYear = random() < 0.5;
      const near: Pick<Person, 'name' | 'birthYear' | 'nationality'> = relative
        ? { name: written(ordered(relative, tradition.familyFirst), usual), birthYear, nationality }
        : kind === 'same name, other year and nationality'
          ? { name: base, birthYear: otherYear(birthYear), nationality: otherNationality(nationality) }
          : sharedYear
            ? { name: base, birthYear, nationality: otherNationality(nationality) }
            : { name: base, birthYear: otherYear(birthYear), nationality };
      people.push({
        identity: identities++,
        tradition: tradition.label,
        ...near,
        nearMiss: { kind, of: identity },
      });
    }
  }
  return { people, identities };
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding and the screening decision

interface Encoded {
  /** Interned blind indexes of the record's exact person selectors. */
  exact: number[];
  /** Those of them that are phonetic twins (`~` + Double Metaphone codes). */
  phonetic: number[];
  /** Interned words of the normalised name, to tell apart unrelated people who share a name word. */
  words: number[];
  /** Interned (key version, block) of each name encoding; the filter is the same in every block. */
  blocks: number[];
  /** Interned candidate band keys of every encoding (each key is hashed with its block). */
  bands: number[];
  filter: Uint32Array;
  ones: number;
  bits: string;
}

function popcount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function encodeAll(people: readonly Person[]): Encoded[] {
  const interned = new Map<string, number>();
  const intern = (text: string): number => {
    let id = interned.get(text);
    if (id === undefined) interned.set(text, (id = interned.size));
    return id;
  };
  return people.map((person) => {
    const result = encodeSelectors(
      [{ type: 'person', name: person.name, birthYear: person.birthYear, nationality: person.nationality }],
      [key],
      'selectors',
    );
    if (!result.ok) throw new Error(`generated person did not encode: ${JSON.stringify(result.issues)}`);
    const { selectors, names } = result.value;
    const encodings = names.map((name) => name.encodings[0]!);
    const bits = encodings[0]!.filter;
    const filter = new Uint32Array(bloomParameters.bits / 32);
    for (let i = 0; i < bits.length; i++) if (bits[i] === '1') filter[i >>> 5]! |= 1 << (i & 31);
    for (const encoding of encodings) if (encoding.filter !== bits) throw new Error('one filter per name');
    const normalised = normalisePersonName(person.name);
    if (!normalised.ok) throw new Error(normalised.code);
    return {
      exact: selectors.map((selector) => intern(`exact:${selector.indexes[0]!}`)),
      phonetic: selectors
        .filter((selector) => selector.selector.canonical.startsWith('~'))
        .map((selector) => intern(`exact:${selector.indexes[0]!}`)),
      words: normalised.value.tokens.map((word) => intern(`word:${word}`)),
      blocks: encodings.map((encoding) => intern(`block:${encoding.version}:${encoding.block}`)),
      bands: encodings.flatMap((encoding) =>
        nameBands(encoding.block, encoding.filter).map((band) => intern(`band:${band}`)),
      ),
      filter,
      ones: encodings[0]!.ones,
      bits,
    };
  });
}

/** Dice as screening computes it: 2 · popcount(a & b) / (ones(a) + ones(b)). */
function dice(a: Encoded, b: Encoded): number {
  let both = 0;
  for (let i = 0; i < a.filter.length; i++) both += popcount32(a.filter[i]! & b.filter[i]!);
  return (2 * both) / (a.ones + b.ones);
}

function sharesAny(a: readonly number[], b: readonly number[]): boolean {
  for (const x of a) if (b.includes(x)) return true;
  return false;
}

interface Decision {
  exact: boolean;
  /** Exact only through a phonetic twin, not the spelled name key. */
  phoneticOnly: boolean;
  fuzzy: boolean;
}

/** Screening's two decisions for one pair: an equal person selector index, and a fuzzy name hit in a shared block. */
function decide(a: Encoded, b: Encoded): Decision {
  const exact = sharesAny(a.exact, b.exact);
  return {
    exact,
    phoneticOnly: exact && !a.exact.some((index) => !a.phonetic.includes(index) && b.exact.includes(index)),
    fuzzy:
      sharesAny(a.blocks, b.blocks) && sharesAny(a.bands, b.bands) && dice(a, b) >= bloomParameters.threshold,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Counting

const sharedWord = 'unrelated, a name word in common';
const noSharedWord = 'unrelated, no name word in common';
const acrossTraditions = 'across traditions';

interface Tally {
  pairs: number;
  exact: number;
  phoneticOnly: number;
  fuzzy: number;
  combined: number;
}

const emptyTally = (): Tally => ({ pairs: 0, exact: 0, phoneticOnly: 0, fuzzy: 0, combined: 0 });

function add(tally: Tally, decision: Decision): void {
  tally.pairs++;
  if (decision.exact) tally.exact++;
  if (decision.phoneticOnly) tally.phoneticOnly++;
  if (decision.fuzzy) tally.fuzzy++;
  if (decision.exact || decision.fuzzy) tally.combined++;
}

interface Measured {
  records: number;
  identities: number;
  bases: number;
  positives: Tally;
  negatives: Tally;
  /** Same-person pairs by how the second record was written (base ↔ variant), and variant ↔ variant. */
  byVariant: Map<string, Tally>;
  /** The same, per naming tradition. */
  byVariantAndTradition: Map<string, Tally>;
  /** Different-person pairs by near-miss kind, and every other pair in a shared block. */
  byNegative: Map<string, Tally>;
  /** Unrelated pairs (no near miss of each other) by naming tradition, or across traditions. */
  unrelatedByTradition: Map<string, Tally>;
  /** Near misses that share no block with their source: screening never compares them; decided here anyway. */
  unblocked: Tally;
  /** The first few pairs, to check the JS Dice against matching.blind.ts. */
  samples: [Person, Person, number][];
}

function measure(): Measured {
  const { people, identities } = generate();
  const encoded = encodeAll(people);
  const measured: Measured = {
    records: people.length,
    identities,
    bases: people.filter((p) => p.variant === undefined && p.nearMiss === undefined).length,
    positives: emptyTally(),
    negatives: emptyTally(),
    byVariant: new Map(),
    byVariantAndTradition: new Map(),
    byNegative: new Map(),
    unrelatedByTradition: new Map(),
    unblocked: emptyTally(),
    samples: [],
  };
  const tally = (map: Map<string, Tally>, label: string): Tally => {
    let found = map.get(label);
    if (!found) map.set(label, (found = emptyTally()));
    return found;
  };
  const members = new Map<number, number[]>();
  encoded.forEach((record, i) => {
    for (const block of record.blocks) {
      const list = members.get(block);
      if (list) list.push(i);
      else members.set(block, [i]);
    }
  });
  for (const [block, list] of members) {
    for (let x = 0; x < list.length; x++) {
      const i = list[x]!;
      const a = encoded[i]!;
      for (let y = x + 1; y < list.length; y++) {
        const j = list[y]!;
        const b = encoded[j]!;
        // A pair sharing both blocks is counted once, in the first block they share.
        if (a.blocks.find((candidate) => b.blocks.includes(candidate)) !== block) continue;
        const decision = decide(a, b);
        const p = people[i]!;
        const q = people[j]!;
        if (measured.samples.length < 50) measured.samples.push([p, q, dice(a, b)]);
        if (p.identity === q.identity) {
          add(measured.positives, decision);
          const variant =
            p.variant === undefined ? q.variant : q.variant === undefined ? p.variant : undefined;
          const label = variant ?? 'variant ↔ variant';
          add(tally(measured.byVariant, label), decision);
          if (variant) add(tally(measured.byVariantAndTradition, `${variant} · ${p.tradition}`), decision);
        } else {
          add(measured.negatives, decision);
          const near =
            p.nearMiss?.of === q.identity
              ? p.nearMiss
              : q.nearMiss?.of === p.identity
                ? q.nearMiss
                : undefined;
          if (near) add(tally(measured.byNegative, near.kind), decision);
          else {
            add(
              tally(measured.byNegative, sharesAny(a.words, b.words) ? sharedWord : noSharedWord),
              decision,
            );
            add(
              tally(
                measured.unrelatedByTradition,
                p.tradition === q.tradition ? p.tradition : acrossTraditions,
              ),
              decision,
            );
          }
        }
      }
    }
  }
  // Near misses in other blocks never meet their source in the loop above; decide them explicitly.
  const byIdentity = new Map<number, number[]>();
  people.forEach((person, i) => {
    const list = byIdentity.get(person.identity);
    if (list) list.push(i);
    else byIdentity.set(person.identity, [i]);
  });
  people.forEach((person, i) => {
    if (person.nearMiss?.kind !== 'same name, other year and nationality') return;
    for (const j of byIdentity.get(person.nearMiss.of)!)
      add(measured.unblocked, decide(encoded[i]!, encoded[j]!));
  });
  return measured;
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

const ratio = (part: number, whole: number): string => (whole === 0 ? '—' : (part / whole).toFixed(4));

function summary(measured: Measured, path: 'exact' | 'fuzzy' | 'combined') {
  const tp = measured.positives[path];
  const fp = measured.negatives[path];
  const fn = measured.positives.pairs - tp;
  return { tp, fp, fn, precision: tp / (tp + fp), recall: tp / measured.positives.pairs };
}

/** The tables, as Markdown (docs/matching.md quotes them). */
function table(measured: Measured): string {
  const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  const head = (cells: string[]): string[] => [row(cells), row(cells.map(() => '---'))];
  const lines: string[] = [
    `matching quality: ${measured.bases} people (${identitiesPerTradition} per tradition × ${traditions.length}), ` +
      `${measured.records} records, seed ${seed}, Dice threshold ${bloomParameters.threshold}; ` +
      `${measured.positives.pairs} same-person and ${measured.negatives.pairs} different-person pairs share a block`,
    '',
    ...head(['decision', 'TP', 'FP', 'FN', 'precision', 'recall', 'false matches per different-person pair']),
  ];
  for (const path of ['exact', 'fuzzy', 'combined'] as const) {
    const m = summary(measured, path);
    lines.push(
      row([
        path,
        m.tp,
        m.fp,
        m.fn,
        m.precision.toFixed(4),
        m.recall.toFixed(4),
        (m.fp / measured.negatives.pairs).toExponential(1),
      ]),
    );
  }
  const recallRow = (label: string, t: Tally): string =>
    row([
      label,
      t.pairs,
      ratio(t.exact, t.pairs),
      ratio(t.phoneticOnly, t.pairs),
      ratio(t.fuzzy, t.pairs),
      ratio(t.combined, t.pairs),
    ]);
  const recallHead = (label: string): string[] =>
    head([label, 'pairs', 'exact', '(phonetic twin only)', 'fuzzy', 'combined']);
  lines.push('', ...recallHead('same person: recall by variant'));
  for (const label of [...variantKinds, 'variant ↔ variant']) {
    const t = measured.byVariant.get(label);
    if (t) lines.push(recallRow(label, t));
  }
  lines.push('', ...recallHead('same person: recall by variant and tradition'));
  for (const kind of variantKinds)
    for (const tradition of traditions) {
      const t = measured.byVariantAndTradition.get(`${kind} · ${tradition.label}`);
      if (t) lines.push(recallRow(`${kind} · ${tradition.label}`, t));
    }
  const negativeRow = (label: string, t: Tally): string =>
    row([label, t.pairs, t.exact, t.phoneticOnly, t.fuzzy, t.combined]);
  const negativeHead = (label: string): string[] =>
    head([label, 'pairs', 'exact', '(phonetic twin only)', 'fuzzy', 'combined']);
  lines.push('', ...negativeHead('different people: false matches'));
  for (const label of [...nearMissKinds, sharedWord, noSharedWord]) {
    const t = measured.byNegative.get(label);
    if (t) lines.push(negativeRow(label, t));
  }
  lines.push(negativeRow('same name, other year and nationality (no shared block)', measured.unblocked));
  lines.push('', ...negativeHead('unrelated people: false matches by tradition'));
  for (const label of [...traditions.map((tradition) => tradition.label), acrossTraditions]) {
    const t = measured.unrelatedByTradition.get(label);
    if (t) lines.push(negativeRow(label, t));
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

describe('matching quality on a generated set with known truth', () => {
  let cached: Measured | undefined;
  const measured = (): Measured => (cached ??= measure());

  it('generates at least 2,000 people with variants and near misses, and prints the table', () => {
    const m = measured();
    expect(m.bases).toBeGreaterThanOrEqual(2000);
    for (const kind of variantKinds) expect(m.byVariant.get(kind)?.pairs ?? 0).toBeGreaterThan(100);
    for (const kind of nearMissKinds.slice(0, 2))
      expect(m.byNegative.get(kind)?.pairs ?? 0).toBeGreaterThan(100);
    expect(m.unblocked.pairs).toBeGreaterThan(100);
    console.warn(table(m));
  }, 120_000);

  it('computes Dice on the bit strings exactly as matching.blind.ts does on the filters', () => {
    const m = measured();
    expect(m.samples.length).toBe(50);
    const filterOf = (person: Person): string => {
      const name = normalisePersonName(person.name);
      if (!name.ok) throw new Error(name.code);
      return nameBloomFilter(key, name.value);
    };
    for (const [p, q, measuredDice] of m.samples)
      expect(measuredDice).toBeCloseTo(diceSimilarity(filterOf(p), filterOf(q)), 12);
  }, 120_000);

  // Bounds a little under the numbers measured with this seed (docs/matching.md); they are the quality the
  // production encoding has today, not targets. Poor rows (Thai and Arabic script) are bounded too, so they can
  // only improve silently.
  it('finds the same person at the measured recall, exact, fuzzy and combined', () => {
    const m = measured();
    expect(summary(m, 'exact').recall).toBeGreaterThanOrEqual(0.42); // measured 0.4441
    expect(summary(m, 'fuzzy').recall).toBeGreaterThanOrEqual(0.76); // measured 0.7826
    expect(summary(m, 'combined').recall).toBeGreaterThanOrEqual(0.79); // measured 0.8107
  }, 120_000);

  it('keeps false matches at the measured precision, and never matches across blocks', () => {
    const m = measured();
    expect(summary(m, 'exact').precision).toBeGreaterThanOrEqual(0.87); // measured 0.8950
    expect(summary(m, 'fuzzy').precision).toBeGreaterThanOrEqual(0.5); // measured 0.5276
    expect(summary(m, 'combined').precision).toBeGreaterThanOrEqual(0.5); // measured 0.5315
    expect(summary(m, 'combined').fp / m.negatives.pairs).toBeLessThanOrEqual(2.5e-3); // measured 2.1e-3
    const negative = (label: string): Tally => m.byNegative.get(label)!;
    const rate = (label: string): number => negative(label).combined / negative(label).pairs;
    expect(rate('same family name')).toBeLessThanOrEqual(0.11); // measured 0.0894
    expect(rate('same given name')).toBeLessThanOrEqual(0.18); // measured 0.1545
    expect(rate(noSharedWord)).toBeLessThanOrEqual(1e-4); // measured 6.2e-5
    // Names of different traditions never reached the threshold.
    expect(m.unrelatedByTradition.get(acrossTraditions)!.combined).toBeLessThanOrEqual(10); // measured 0
    // The same name in another birth year and nationality shares no block and no selector: never a match.
    expect(m.unblocked.combined).toBe(0);
  }, 120_000);

  it('per variant kind and script, reaches the measured recall', () => {
    const m = measured();
    const recall = (map: Map<string, Tally>, label: string): number => {
      const t = map.get(label)!;
      return t.combined / t.pairs;
    };
    const byKind: [string, number][] = [
      ['typo', 0.97], // measured 0.9910
      ['diacritics', 1],
      ['transliteration', 0.89], // measured 0.9139
      ['script', 0.57], // measured 0.5928
      ['order', 1],
      ['variant ↔ variant', 0.72], // measured 0.7463
    ];
    for (const [label, bound] of byKind)
      expect([label, recall(m.byVariant, label)]).toEqual([
        label,
        expect.toSatisfy((r: number) => r >= bound),
      ]);
    const byScript: [string, number][] = [
      ['Cyrillic', 0.98], // measured 1.0000
      ["Amharic (Ge'ez)", 0.9], // measured 0.9320
      ['Khmer', 0.68], // measured 0.7120
      ['Arabic', 0.15], // measured 0.1760: the consonant skeleton rarely meets a vowelled Latin spelling
      ['Thai', 0.12], // measured 0.1440: any-ascii's letter-by-letter reading is far from RTGS-like spellings
    ];
    for (const [tradition, bound] of byScript) {
      const label = `script · ${tradition}`;
      expect([label, recall(m.byVariantAndTradition, label)]).toEqual([
        label,
        expect.toSatisfy((r: number) => r >= bound),
      ]);
    }
  }, 120_000);
});
