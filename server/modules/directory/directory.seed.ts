import { inArray } from 'drizzle-orm';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import type { DemoAccount, Kernel } from '../../kernel/kernel.js';
import { identityOrganisations, insertListedOrganisations } from '../identity/index.js';
import { fold, placeById, searchPlaces } from './directory.gazetteer.js';
import { profileInputSchema } from './directory.profiles.schemas.js';
import { rebuildSearchEntries, storeProfile } from './directory.profiles.service.js';
import { syntheticOrganisations, type SyntheticOrganisation } from './directory.synthetic.js';
import { directoryOffices, directoryProfiles } from './directory.tables.js';

/** How many synthetic organisations the demo lists: enough that even the public directory has 1,000. */
export const demoOrganisationCount = 1050;
/** The seed of the demo's synthetic organisations: the same demo on every machine. */
export const demoSeed = 20_240_601;
const dayMs = 86_400_000;

/** A real place of the gazetteer, by name; the demo's hand-written profiles name only places that exist. */
function placeId(name: string, country: string): number {
  const place = searchPlaces(name, { country, limit: 20 }).find((p) => fold(p.name) === fold(name));
  if (!place) throw new Error(`demo data names a place the gazetteer does not have: ${name}, ${country}`);
  return place.id;
}

/**
 * Profiles of the identity module's demo organisations (found by name), written by hand so a newcomer sees
 * what a complete profile looks like: several languages and scripts, offices, hotlines, hidden locations.
 */
function demoProfiles(): Record<string, Record<string, unknown>> {
  return {
    'Tumaini Safe Homes (demo)': {
      otherNames: ['Nyumba Salama za Tumaini'],
      descriptions: [
        {
          language: 'en',
          short: 'Safe homes for women and girls leaving exploitation on the Kenyan coast and in Uganda.',
          long:
            'Tumaini runs two safe homes and an emergency placement service for women and girls who have left ' +
            'domestic servitude, forced marriage or sexual exploitation. Each survivor has a caseworker, ' +
            'counselling in Kiswahili, Luganda or English, and support to trace her family and return home ' +
            'safely when she chooses to. Our homes are at undisclosed addresses.',
        },
        {
          language: 'sw',
          short: 'Nyumba salama kwa wanawake na wasichana walionusurika unyonyaji, pwani ya Kenya na Uganda.',
          long:
            'Tumaini inaendesha nyumba salama mbili na huduma ya dharura kwa wanawake na wasichana ' +
            'walionusurika utumwa wa nyumbani, ndoa za kulazimishwa au unyonyaji wa kingono. Kila manusura ' +
            'anapata mfanyakazi wa kesi, ushauri nasaha na msaada wa kuwatafuta ndugu zake. Anwani za nyumba ' +
            'zetu ni siri.',
        },
      ],
      focus: ['protection', 'prevention', 'partnership'],
      services: [
        'shelter',
        'emergency_accommodation',
        'psychosocial',
        'case_management',
        'reintegration',
        'vocational_training',
        'family_tracing',
      ],
      populations: ['women', 'girls', 'children_12_17', 'young_adults_18_24', 'domestic_workers'],
      exploitationTypes: ['SexualExploitation', 'Servitude', 'ForcedMarriage', 'ForcedLabour'],
      industries: ['T_ActivitiesOfHouseholdsAsEmployers', 'I_AccommodationAndFoodServiceActivities'],
      countries: ['KE', 'UG'],
      offices: [
        { label: 'Coast safe home', placeId: placeId('Mombasa', 'KE'), isMain: true },
        { label: 'Kampala safe home', placeId: placeId('Kampala', 'UG') },
        { label: 'Outreach office', placeId: placeId('Malindi', 'KE'), phone: '+254001234501' },
      ],
      languages: ['sw', 'en', 'lg'],
      hotlines: [{ channel: 'whatsapp', number: '+254001234500', hours: '24/7', languages: ['sw', 'en'] }],
      networks: ['East Africa Counter-Trafficking Network', 'International Shelter Providers Forum'],
      website: 'https://tumaini.example.org',
      contacts: [{ label: 'Intake', email: 'intake@tumaini.example.org', phone: '+254001234502' }],
      visibility: { contacts: 'partners' },
      // A shelter at risk: the map shows only its regions.
      hideExactLocation: true,
    },
    'Mekong Legal Aid Network (demo)': {
      otherNames: [
        'បណ្តាញជំនួយផ្លូវច្បាប់មេគង្គ',
        'Mạng lưới Trợ giúp Pháp lý Mê Kông',
        'เครือข่ายช่วยเหลือทางกฎหมายลุ่มน้ำโขง',
        'MLAN',
      ],
      descriptions: [
        {
          language: 'en',
          short: 'Free legal aid for migrant workers, fishers and people trafficked into scam compounds.',
          long:
            'Lawyers and paralegals in Cambodia, Viet Nam and Thailand who represent survivors of forced ' +
            'labour and forced criminality: wage claims, compensation, immigration status and testimony. We ' +
            'interpret between Khmer, Vietnamese, Thai and English and take referrals from any member.',
        },
        {
          language: 'km',
          short: 'ជំនួយផ្លូវច្បាប់ដោយឥតគិតថ្លៃសម្រាប់ពលករចំណាកស្រុក និងអ្នកនេសាទ។',
          long: 'មេធាវី និងជំនួយការផ្នែកច្បាប់របស់យើងតំណាងឱ្យជនរងគ្រោះនៃការងារដោយបង្ខំ និងការជួញដូរមនុស្ស។ សេវាកម្មទាំងអស់របស់យើងគឺឥតគិតថ្លៃ និងរក្សាការសម្ងាត់។',
        },
        {
          language: 'vi',
          short: 'Trợ giúp pháp lý miễn phí cho lao động di cư, ngư dân và nạn nhân mua bán người.',
          long: 'Các luật sư và trợ lý pháp lý của chúng tôi đại diện cho nạn nhân lao động cưỡng bức: đòi tiền lương, bồi thường và tình trạng cư trú. Mọi dịch vụ đều miễn phí và bảo mật.',
        },
        {
          language: 'th',
          short: 'ความช่วยเหลือทางกฎหมายโดยไม่คิดค่าใช้จ่ายสำหรับแรงงานข้ามชาติและแรงงานประมง',
          long: 'ทนายความและผู้ช่วยทนายความของเราเป็นตัวแทนผู้เสียหายจากการบังคับใช้แรงงานและการค้ามนุษย์ บริการทั้งหมดของเราไม่มีค่าใช้จ่ายและเป็นความลับ',
        },
      ],
      focus: ['protection', 'prosecution', 'advocacy'],
      services: ['legal_aid', 'immigration_advice', 'interpretation', 'case_management', 'repatriation'],
      populations: ['migrant_workers', 'fishers', 'women', 'men'],
      exploitationTypes: ['ForcedLabour', 'ForcedCriminality', 'SexualExploitation'],
      industries: ['A_AgricultureForestryAndFishing', 'J_InformationAndCommunication', 'F_Construction'],
      countries: ['KH', 'VN', 'TH'],
      offices: [
        { label: 'Head office', placeId: placeId('Phnom Penh', 'KH'), isMain: true },
        { label: 'Ho Chi Minh City office', placeId: placeId('Ho Chi Minh City', 'VN') },
        { label: 'Bangkok office', placeId: placeId('Bangkok', 'TH'), phone: '+66001234567' },
      ],
      languages: ['km', 'vi', 'th', 'en'],
      hotlines: [
        { channel: 'signal', number: '+855001234567', hours: 'Mon–Sat 08:00–20:00', languages: ['km', 'en'] },
        {
          channel: 'telegram',
          number: '@mlan_legal_help',
          hours: 'Daily 07:00–22:00',
          languages: ['vi', 'th'],
        },
      ],
      networks: ['Mekong Anti-Trafficking Alliance'],
      website: 'https://mekong-legal-aid.example.org',
      contacts: [{ label: 'Referrals', email: 'referrals@mekong-legal-aid.example.org' }],
      visibility: { offices: 'public' },
    },
    'Nairobi Anti-Trafficking Unit (demo)': {
      otherNames: ['Kitengo cha Kupambana na Usafirishaji Haramu wa Binadamu, Nairobi'],
      descriptions: [
        {
          language: 'en',
          short: 'Police unit that identifies victims, investigates traffickers and refers survivors.',
          long:
            'The unit investigates trafficking cases in Nairobi and along the routes to the coast and the ' +
            'borders. Officers trained in victim identification refer every survivor to a member organisation ' +
            'for shelter and support before any interview.',
        },
      ],
      focus: ['prosecution', 'protection'],
      services: ['victim_identification', 'hotline', 'training_for_professionals'],
      populations: ['women', 'men', 'girls', 'boys', 'migrant_workers'],
      exploitationTypes: ['SexualExploitation', 'ForcedLabour', 'ForcedBegging'],
      countries: ['KE'],
      offices: [{ label: 'Headquarters', placeId: placeId('Nairobi', 'KE'), isMain: true }],
      languages: ['sw', 'en'],
      hotlines: [{ channel: 'phone', number: '+254001234599', hours: '24/7', languages: ['sw', 'en'] }],
      contacts: [{ label: 'Duty officer', email: 'duty@atu-nairobi.example.org' }],
      visibility: { contacts: 'partners', networks: 'partners' },
      networks: ['East Africa Counter-Trafficking Network'],
    },
    'Voices of Return — survivor-led (demo)': {
      otherNames: ['ফেরার কণ্ঠ'],
      descriptions: [
        {
          language: 'en',
          short: 'Returned migrant workers supporting each other after forced labour abroad.',
          long:
            'Founded by men and women who came back from forced labour in Malaysia and the Gulf. We meet ' +
            'returnees at the airport, run peer groups, help with debts and new livelihoods, and train ' +
            'recruiters and officials on what we lived through.',
        },
        {
          language: 'bn',
          short: 'বিদেশে জোরপূর্বক শ্রমের পর ফিরে আসা অভিবাসী শ্রমিকদের পারস্পরিক সহায়তা।',
          long: 'মালয়েশিয়া ও উপসাগরীয় দেশগুলো থেকে ফিরে আসা নারী ও পুরুষেরা এই সংগঠন গড়ে তুলেছেন। আমরা বিমানবন্দরে ফেরত আসা মানুষদের পাশে থাকি এবং নতুন জীবিকায় সহায়তা করি।',
        },
      ],
      focus: ['protection', 'advocacy', 'prevention'],
      services: ['psychosocial', 'reintegration', 'livelihoods', 'outreach', 'training_for_professionals'],
      populations: ['migrant_workers', 'men', 'women', 'domestic_workers'],
      exploitationTypes: ['ForcedLabour', 'Servitude'],
      industries: ['F_Construction', 'C_Manufacturing', 'T_ActivitiesOfHouseholdsAsEmployers'],
      countries: ['BD', 'MY'],
      offices: [
        { label: 'Dhaka office', placeId: placeId('Dhaka', 'BD'), isMain: true },
        { label: 'Kuala Lumpur contact point', placeId: placeId('Kuala Lumpur', 'MY') },
      ],
      languages: ['bn', 'en', 'ms'],
      networks: ['South Asia Safe Migration Network', 'Global Survivor Leadership Council'],
      website: 'https://voices-of-return.example.org',
    },
    'Institute for Migration Research (demo)': {
      otherNames: ['สถาบันวิจัยการย้ายถิ่น'],
      descriptions: [
        {
          language: 'en',
          short: 'Research on labour migration and trafficking routes in mainland Southeast Asia.',
          long:
            'We study recruitment, debt and working conditions along the routes from Myanmar, Cambodia and ' +
            'Laos into Thailand, and train practitioners to use data safely.',
        },
        {
          language: 'th',
          short: 'งานวิจัยด้านการย้ายถิ่นของแรงงานและเส้นทางการค้ามนุษย์ในเอเชียตะวันออกเฉียงใต้',
          long: 'เราศึกษาการจัดหางาน หนี้สิน และสภาพการทำงานของแรงงานข้ามชาติ และอบรมผู้ปฏิบัติงานให้ใช้ข้อมูลอย่างปลอดภัย',
        },
      ],
      focus: ['research', 'advocacy'],
      services: ['training_for_professionals', 'education'],
      populations: ['migrant_workers', 'fishers', 'stateless_people'],
      exploitationTypes: ['ForcedLabour', 'ForcedCriminality'],
      industries: ['A_AgricultureForestryAndFishing', 'C_Manufacturing'],
      countries: ['TH'],
      offices: [{ label: 'Campus office', placeId: placeId('Chiang Mai', 'TH'), isMain: true }],
      languages: ['th', 'en', 'my'],
      website: 'https://migration-research.example.org',
      visibility: { offices: 'public' },
    },
    'Ministry of Labour Inspection (demo)': {
      otherNames: ['Cục Thanh tra Lao động'],
      descriptions: [
        {
          language: 'vi',
          short: 'Thanh tra điều kiện lao động và nhận diện nạn nhân lao động cưỡng bức.',
          long: 'Chúng tôi thanh tra các cơ sở sản xuất và công ty tuyển dụng, nhận diện nạn nhân và chuyển gửi họ đến các tổ chức hỗ trợ.',
        },
        {
          language: 'en',
          short: 'Inspects workplaces and recruitment agencies and identifies victims of forced labour.',
          long: 'Inspectors visit factories, farms and recruitment agencies, identify victims of forced labour and refer them to member organisations.',
        },
      ],
      focus: ['prevention', 'protection', 'partnership'],
      services: ['victim_identification', 'training_for_professionals', 'hotline'],
      populations: ['migrant_workers', 'children_12_17'],
      exploitationTypes: ['ForcedLabour', 'ChildLabour'],
      industries: ['A_AgricultureForestryAndFishing', 'C_Manufacturing', 'F_Construction'],
      countries: ['VN'],
      offices: [{ label: 'Head office', placeId: placeId('Hanoi', 'VN'), isMain: true }],
      languages: ['vi', 'en'],
      hotlines: [
        { channel: 'phone', number: '+84001234500', hours: 'Mon–Fri 08:00–17:00', languages: ['vi'] },
      ],
    },
    'Sahel Shelter Collective (demo application)': {
      descriptions: [
        {
          language: 'fr',
          short:
            'Hébergement et accompagnement des femmes et des enfants sur les routes migratoires du Sahel.',
          long: 'Nous accueillons à Niamey et à Bamako des femmes et des enfants en transit, victimes ou à risque de traite.',
        },
      ],
      focus: ['protection'],
      services: ['shelter', 'psychosocial', 'family_tracing'],
      populations: ['women', 'girls', 'boys'],
      exploitationTypes: ['SexualExploitation', 'ForcedBegging'],
      countries: ['NE', 'ML'],
      offices: [{ label: 'Siège', placeId: placeId('Niamey', 'NE'), isMain: true }],
      languages: ['fr', 'ha', 'bm'],
    },
    'Coastal Outreach Trust (demo, suspended)': {
      descriptions: [
        {
          language: 'en',
          short: 'Outreach to fishing communities on the Tanzanian coast.',
          long: 'Community outreach and prevention talks in fishing villages.',
        },
      ],
      focus: ['prevention'],
      services: ['outreach'],
      populations: ['fishers', 'boys'],
      exploitationTypes: ['ForcedLabour', 'ChildLabour'],
      countries: ['TZ'],
      offices: [{ label: 'Office', placeId: placeId('Tanga', 'TZ'), isMain: true }],
      languages: ['sw', 'en'],
    },
  };
}

/**
 * Writes synthetic profiles, their offices and their search rows a few hundred at a time: the same rows
 * storeProfile writes (search rows by the same rebuildSearchEntries), without its dozen round trips per
 * profile (on PGlite, 1,000 profiles take about 5 s this way and 25 s through storeProfile). Like their
 * listing (auditEach: false), demo profiles are not audited one by one: nobody made them.
 */
export async function storeSyntheticProfiles(
  tx: Tx,
  ids: string[],
  synthetic: SyntheticOrganisation[],
  now: number,
): Promise<void> {
  const chunk = 250;
  for (let start = 0; start < ids.length; start += chunk) {
    const batch = ids.slice(start, start + chunk).map((id, i) => ({ id, ...synthetic[start + i]! }));
    await tx.insert(directoryProfiles).values(
      batch.map(({ id, profile, updatedDaysAgo }) => {
        const { offices: _offices, visibility, ...fields } = profile;
        const updatedAt = new Date(now - updatedDaysAgo * dayMs);
        return {
          organisationId: id,
          ...fields,
          visibility: { ...visibility },
          createdAt: updatedAt,
          updatedAt,
        };
      }),
    );
    const offices = batch.flatMap(({ id, profile, updatedDaysAgo }) =>
      profile.offices.map((office, i) => {
        const place = placeById(office.placeId)!;
        // A millisecond apart, so the offices keep their order (offices are read by creation time).
        const at = new Date(now - updatedDaysAgo * dayMs + i);
        return {
          organisationId: id,
          label: office.label,
          placeName: place.name,
          country: place.country,
          region: place.region,
          latitude: place.latitude,
          longitude: place.longitude,
          street: office.street,
          postalCode: office.postalCode,
          phone: office.phone,
          isMain: office.isMain,
          createdAt: at,
          updatedAt: at,
        };
      }),
    );
    if (offices.length > 0) await tx.insert(directoryOffices).values(offices);
    await rebuildSearchEntries(
      tx,
      batch.map((b) => b.id),
    );
  }
}

/**
 * Demo data for the directory: profiles for the identity module's demo organisations, and a thousand
 * synthetic organisations in 180 countries listed as if imported (with their profiles, offices and search
 * rows), all in one transaction. Creates no accounts.
 */
export async function seedDirectory(kernel: Kernel): Promise<DemoAccount[]> {
  const synthetic = syntheticOrganisations(demoSeed, demoOrganisationCount);
  const now = Date.now();
  const handWritten = demoProfiles();
  await inTransaction(kernel.database.db, async (tx) => {
    const demo = await tx
      .select({ id: identityOrganisations.id, name: identityOrganisations.name })
      .from(identityOrganisations)
      .where(inArray(identityOrganisations.name, Object.keys(handWritten)));
    for (const { id, name } of demo) {
      const input = profileInputSchema.parse(handWritten[name]);
      await storeProfile(tx, id, input, { personId: null });
    }
    // Listed, not applied for (active, no members).
    const ids = await insertListedOrganisations(
      tx,
      synthetic.map((s) => s.organisation),
      { referee: 'demo data', auditEach: false },
    );
    await storeSyntheticProfiles(tx, ids, synthetic, now);
  });
  return [];
}
