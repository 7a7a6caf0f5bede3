/**
 * Word pools for the synthetic case files of `bench/scale/cases.ts`. Every person, place detail and story
 * made from them is invented: common given and family names of each country combined at random, so no
 * generated case describes a real survivor.
 */

import type { CountryCode } from '../../server/modules/identity/identity.countries.js';

/** A country caseworkers in the field work in, with what its invented survivors are made of. */
export interface CaseCountry {
  code: CountryCode;
  /** ISO 639-1: the survivor's primary language. */
  language: string;
  given: readonly string[];
  family: readonly string[];
  cities: readonly string[];
  /** E.164 prefix and the number of digits after it. */
  phone: { prefix: string; digits: number };
  /** Where people from here are most often exploited (first: exploitation inside the country). */
  destinations: readonly CountryCode[];
  /** Relative share of the organisations based here. */
  weight: number;
}

export const caseCountries: readonly CaseCountry[] = [
  {
    code: 'KE',
    language: 'sw',
    given: ['Wanjiru', 'Achieng', 'Njeri', 'Akinyi', 'Wambui', 'Chebet', 'Auma', 'Mercy', 'Faith', 'Brian'],
    family: ['Otieno', 'Kamau', 'Mwangi', 'Ochieng', 'Wanjala', 'Kiprono', 'Njoroge', 'Omondi', 'Mutua'],
    cities: ['Nairobi', 'Mombasa', 'Kisumu', 'Nakuru', 'Eldoret', 'Malindi'],
    phone: { prefix: '+254 7', digits: 8 },
    destinations: ['KE', 'SA', 'OM', 'AE', 'QA', 'LB'],
    weight: 12,
  },
  {
    code: 'UG',
    language: 'lg',
    given: ['Nakato', 'Babirye', 'Namubiru', 'Sarah', 'Grace', 'Mugisha', 'Apio', 'Akello', 'Esther'],
    family: ['Ssempala', 'Mukasa', 'Okello', 'Namusoke', 'Kato', 'Opio', 'Nabirye', 'Tumusiime'],
    cities: ['Kampala', 'Jinja', 'Gulu', 'Mbarara', 'Busia', 'Arua'],
    phone: { prefix: '+256 7', digits: 8 },
    destinations: ['UG', 'SA', 'AE', 'OM', 'KE', 'JO'],
    weight: 9,
  },
  {
    code: 'TZ',
    language: 'sw',
    given: ['Neema', 'Rehema', 'Zawadi', 'Amani', 'Baraka', 'Halima', 'Mwanaisha', 'Upendo', 'Tumaini'],
    family: ['Mwakyusa', 'Mushi', 'Massawe', 'Mollel', 'Kimaro', 'Swai', 'Mrema', 'Lyimo'],
    cities: ['Dar es Salaam', 'Mbeya', 'Arusha', 'Mwanza', 'Dodoma', 'Tanga'],
    phone: { prefix: '+255 7', digits: 8 },
    destinations: ['TZ', 'OM', 'AE', 'SA', 'KE', 'ZA'],
    weight: 8,
  },
  {
    code: 'KH',
    language: 'km',
    given: ['Sreymom', 'Dara', 'Vannak', 'Sokha', 'Chantha', 'Rithy', 'Bopha', 'Sophea', 'Pisey'],
    family: ['Sok', 'Chan', 'Heng', 'Kim', 'Ly', 'Meas', 'Phan', 'Chea', 'Keo'],
    cities: ['Phnom Penh', 'Battambang', 'Siem Reap', 'Poipet', 'Kampong Cham', 'Sihanoukville'],
    phone: { prefix: '+855 1', digits: 7 },
    destinations: ['KH', 'TH', 'MM', 'MY', 'CN', 'LA'],
    weight: 10,
  },
  {
    code: 'VN',
    language: 'vi',
    given: ['Lan', 'Hoa', 'Minh', 'Thu', 'Hương', 'Tuấn', 'Linh', 'Mai', 'Ngọc', 'Dũng'],
    family: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ'],
    cities: ['Hà Nội', 'Hải Phòng', 'Nghệ An', 'Cần Thơ', 'Lào Cai', 'Hà Giang'],
    phone: { prefix: '+84 9', digits: 8 },
    destinations: ['VN', 'CN', 'MY', 'GB', 'KH', 'TW'],
    weight: 10,
  },
  {
    code: 'TH',
    language: 'th',
    given: ['Somchai', 'Malee', 'Ploy', 'Nattaya', 'Anong', 'Kittisak', 'Siriporn', 'Pranee'],
    family: ['Srisuk', 'Chaiyaporn', 'Boonmee', 'Wongsa', 'Saetang', 'Kaewmanee', 'Thongdee'],
    cities: ['Bangkok', 'Chiang Mai', 'Mae Sot', 'Udon Thani', 'Songkhla', 'Chiang Rai'],
    phone: { prefix: '+66 8', digits: 8 },
    destinations: ['TH', 'MY', 'JP', 'KR', 'MM', 'IL'],
    weight: 6,
  },
  {
    code: 'PH',
    language: 'tl',
    given: ['Maria', 'Jocelyn', 'Rowena', 'Mark', 'Joy', 'Liza', 'Analyn', 'Rodel', 'Cristina'],
    family: ['Santos', 'Reyes', 'Cruz', 'Bautista', 'Garcia', 'Dela Cruz', 'Mendoza', 'Villanueva'],
    cities: ['Manila', 'Cebu', 'Davao', 'Zamboanga', 'Iloilo', 'Cagayan de Oro'],
    phone: { prefix: '+63 9', digits: 9 },
    destinations: ['PH', 'SA', 'AE', 'MY', 'KW', 'HK'],
    weight: 8,
  },
  {
    code: 'NG',
    language: 'yo',
    given: ['Blessing', 'Precious', 'Joy', 'Chioma', 'Aisha', 'Osas', 'Favour', 'Esohe', 'Ngozi'],
    family: ['Okafor', 'Eze', 'Adeyemi', 'Osagie', 'Bello', 'Okon', 'Igbinedion', 'Obi'],
    cities: ['Lagos', 'Benin City', 'Abuja', 'Kano', 'Enugu', 'Calabar'],
    phone: { prefix: '+234 80', digits: 8 },
    destinations: ['NG', 'IT', 'LY', 'ML', 'GH', 'ES'],
    weight: 9,
  },
  {
    code: 'NP',
    language: 'ne',
    given: ['Sita', 'Gita', 'Sunita', 'Ram', 'Maya', 'Bishnu', 'Sarita', 'Kamala', 'Hari'],
    family: ['Tamang', 'Gurung', 'Thapa', 'Shrestha', 'Rai', 'Magar', 'Lama', 'Karki'],
    cities: ['Kathmandu', 'Pokhara', 'Biratnagar', 'Nepalgunj', 'Sindhupalchok', 'Makwanpur'],
    phone: { prefix: '+977 98', digits: 8 },
    destinations: ['NP', 'IN', 'MY', 'AE', 'QA', 'KW'],
    weight: 7,
  },
  {
    code: 'MM',
    language: 'my',
    given: ['Aye Aye', 'Thandar', 'Zaw', 'Hla', 'Mya', 'Khin', 'Su Su', 'Nilar', 'Tun'],
    family: ['Win', 'Oo', 'Aung', 'Htwe', 'Myint', 'Kyaw', 'Lwin', 'Naing'],
    cities: ['Yangon', 'Mandalay', 'Myawaddy', 'Lashio', 'Mawlamyine', 'Dawei'],
    phone: { prefix: '+95 9', digits: 9 },
    destinations: ['MM', 'TH', 'CN', 'MY', 'KH', 'LA'],
    weight: 6,
  },
  {
    code: 'ID',
    language: 'id',
    given: ['Siti', 'Dewi', 'Sri', 'Rina', 'Agus', 'Wayan', 'Nur', 'Yuliana', 'Putri'],
    family: ['Lestari', 'Wulandari', 'Susanti', 'Saputra', 'Hidayat', 'Kurniawan', 'Rahayu'],
    cities: ['Jakarta', 'Surabaya', 'Kupang', 'Medan', 'Indramayu', 'Lombok Timur'],
    phone: { prefix: '+62 8', digits: 10 },
    destinations: ['ID', 'MY', 'SA', 'TW', 'HK', 'KH'],
    weight: 8,
  },
  {
    code: 'BD',
    language: 'bn',
    given: ['Fatema', 'Nasrin', 'Rahima', 'Rahim', 'Salma', 'Shirin', 'Rokeya', 'Jahanara', 'Kamal'],
    family: ['Akter', 'Begum', 'Khatun', 'Hossain', 'Rahman', 'Islam', 'Sarkar', 'Mia'],
    cities: ['Dhaka', 'Chattogram', 'Khulna', 'Sylhet', "Cox's Bazar", 'Jashore'],
    phone: { prefix: '+880 1', digits: 9 },
    destinations: ['BD', 'IN', 'MY', 'SA', 'AE', 'LB'],
    weight: 7,
  },
] satisfies CaseCountry[];

/** What a caseworker writes about how the survivor came into the situation. */
export const recruitmentStories: readonly string[] = [
  'A neighbour introduced an agent who promised work as a housemaid with a good salary abroad.',
  'She answered an advertisement on social media for restaurant work; the recruiter paid for the ticket.',
  'A relative arranged the job and said the debt for travel would be repaid from the first wages.',
  'He was offered a well-paid job in customer service and a free visa through a messaging app.',
  'An agency in the capital took a fee for the placement and kept the contract until departure.',
  'A friend from school said there was work in a factory across the border and travelled with her.',
  'The broker visited the village twice and gave the family money in advance of the work.',
  'A man met online promised marriage and a new life, then arranged the journey.',
];

/** How the journey went. */
export const journeyStories: readonly string[] = [
  'The group crossed the border at night on foot and was handed to another driver.',
  'She flew with a tourist visa; at the airport a man took her passport "for safekeeping".',
  'They travelled by bus for three days and changed vehicles twice without being told where they were.',
  'On arrival the agent said the job had changed and the debt had doubled.',
  'He was driven from the airport straight to a fenced compound and his phone was taken.',
];

/** What the exploitation looked like. */
export const exploitationStories: readonly string[] = [
  'She worked eighteen hours a day with no day off and slept in the kitchen.',
  'Wages were withheld for months and deducted for food, rent and "fines".',
  'He was made to run online scams under threat of beatings and resale to another compound.',
  'The employer locked the door when leaving and did not allow calls home.',
  'She was forced to see clients in a bar and told her family would be harmed if she refused.',
  'The boat stayed at sea for months; the crew were beaten when the catch was small.',
  'Workers on the construction site had their documents kept by the supervisor.',
];

/** How it ended and where things stand. */
export const outcomeStories: readonly string[] = [
  'She managed to call a hotline from a borrowed phone and was rescued with police support.',
  'Another worker helped him reach the embassy, which referred him to the shelter.',
  'A raid freed the group; she was identified as a possible victim at the immigration centre.',
  'She escaped during a hospital visit and was brought to the safe home by a nurse.',
  'Since returning, the survivor lives with an aunt and wants to finish school.',
  'The survivor is afraid of the recruiter, who still lives near the family.',
];

/** Vulnerability details. */
export const vulnerabilityDetails: readonly string[] = [
  'Lost both parents young; left school at fourteen to support younger siblings.',
  'Large family debt after a failed harvest and medical bills.',
  'No birth registration, which made it hard to get documents or help.',
  'History of domestic violence at home; left to escape it.',
  'Chronic illness that needs regular medication.',
];

/** Case comments (`cco_`). */
export const comments: readonly string[] = [
  'First meeting at the safe home; she asked that her family not be contacted yet.',
  'Called the family with consent; the mother cried and asked when she can come home.',
  'Accompanied to the clinic for a check-up; next appointment in two weeks.',
  'Statement given to the police with a lawyer present; she was tired but steady.',
  'He asked about sending money home; explained the savings group.',
  'Counsellor reports better sleep this month.',
  'Employer contacted by labour inspectorate about unpaid wages.',
  'Discussed safety plan: new phone number, only the caseworker knows it.',
  'Attended the tailoring course three times this week.',
  'Travel documents requested from the consulate; waiting for an answer.',
  'Follow-up visit at home went well; the landlord asked no questions.',
  'She missed the appointment; reached her by phone, rescheduled.',
];

/** Follow-up notes. */
export const followUpNotes: readonly string[] = [
  'Call about the vocational course.',
  'Home visit with the counsellor.',
  'Check on the wage claim with the labour office.',
  'School re-enrolment meeting.',
  'Collect the medical results.',
  'Review the safety plan.',
  'Court hearing preparation.',
];

/** Support-plan objectives, by `spl_Type`. */
export const objectives: Record<string, readonly string[]> = {
  Education: ['Re-enrol in secondary school.', 'Literacy classes twice a week.'],
  Financial: ['Open a bank account.', 'Join a savings group.', 'Cash support for three months.'],
  Health: ['Counselling twice a month.', 'Treatment for the injury to the hand.', 'HIV test and follow-up.'],
  LabourExploitationRehabilitation: ['Recover unpaid wages.', 'Job placement with a vetted employer.'],
  Legal: ['Victim status recognised by police.', 'Compensation claim against the agency.'],
  Livelihood: ['Tailoring course.', 'Start-up kit for a small shop.', 'Hairdressing apprenticeship.'],
  RightsBasedTraining: ['Safe migration training.', 'Know-your-rights session.'],
  SexualExploitationRehabilitation: ['Trauma-informed counselling.', 'Peer support group.'],
  SocialCare: ['Shelter until family tracing is done.', 'Family reunification.'],
};

/** Why a case was closed. */
export const closureReasons: readonly string[] = [
  'Reintegrated; support plan completed.',
  'Referred to a partner organisation near the family home.',
  'Survivor asked to end support after returning to work.',
  'No contact for six months despite repeated attempts.',
];

/** Notes on a consent. */
export const consentNotes: readonly string[] = [
  'Explained in her language with an interpreter.',
  'Agreed only for the shelter and the clinic.',
  'Asked that the family not be told where she lives.',
];

/** Descriptions of trafficking events. */
export const eventDescriptions: readonly string[] = [
  'Met the agent at the market.',
  'Held in a house near the bus station for a week.',
  'Scam compound near the border.',
  'Private house in a gated compound.',
  'Fishing boat registered abroad.',
  'Brick kiln outside the city.',
];

/** Aliases recruiters go by. */
export const perpetratorAliases: readonly string[] = ['Boss', 'Uncle', 'Madam', 'Teacher', 'Big Brother'];
