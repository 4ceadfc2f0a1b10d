/**
 * The demo's 100 ImageNet-1k classes, in ten groups of related classes. Group membership decides the
 * feature geometry (related classes share a group centre), so the inspector later shows confusions a
 * person recognises. Class ids are NOT the order here: they follow the sorted WordNet ids, as in
 * ImageNet's own class list.
 */
export interface DemoGroup {
  name: string;
  wnids: readonly string[];
}

export const DEMO_GROUPS: readonly DemoGroup[] = [
  {
    name: 'dogs',
    wnids: [
      'n02085620', // Chihuahua
      'n02088364', // beagle
      'n02099601', // golden retriever
      'n02099712', // Labrador retriever
      'n02106662', // German shepherd
      'n02109961', // Eskimo dog
      'n02110063', // malamute
      'n02110185', // Siberian husky
      'n02110958', // pug
      'n02111889', // Samoyed
    ],
  },
  {
    name: 'wild canids',
    wnids: [
      'n02114367', // timber wolf
      'n02114548', // white wolf
      'n02114712', // red wolf
      'n02114855', // coyote
      'n02115641', // dingo
      'n02115913', // dhole
      'n02116738', // African hunting dog
      'n02119022', // red fox
      'n02119789', // kit fox
      'n02120079', // Arctic fox
    ],
  },
  {
    name: 'cats',
    wnids: [
      'n02123045', // tabby
      'n02123159', // tiger cat
      'n02123394', // Persian cat
      'n02123597', // Siamese cat
      'n02124075', // Egyptian cat
      'n02125311', // cougar
      'n02127052', // lynx
      'n02128385', // leopard
      'n02128925', // jaguar
      'n02129165', // lion
    ],
  },
  {
    name: 'primates',
    wnids: [
      'n02480495', // orangutan
      'n02480855', // gorilla
      'n02481823', // chimpanzee
      'n02483362', // gibbon
      'n02483708', // siamang
      'n02484975', // guenon
      'n02486261', // patas
      'n02486410', // baboon
      'n02487347', // macaque
      'n02488291', // langur
    ],
  },
  {
    name: 'birds',
    wnids: [
      'n01530575', // brambling
      'n01531178', // goldfinch
      'n01532829', // house finch
      'n01534433', // junco
      'n01537544', // indigo bunting
      'n01558993', // robin
      'n01560419', // bulbul
      'n01580077', // jay
      'n01582220', // magpie
      'n01592084', // chickadee
    ],
  },
  {
    name: 'snakes',
    wnids: [
      'n01728572', // thunder snake
      'n01728920', // ringneck snake
      'n01729322', // hognose snake
      'n01729977', // green snake
      'n01734418', // king snake
      'n01735189', // garter snake
      'n01737021', // water snake
      'n01739381', // vine snake
      'n01740131', // night snake
      'n01742172', // boa constrictor
    ],
  },
  {
    name: 'fish',
    wnids: [
      'n01440764', // tench
      'n01443537', // goldfish
      'n01484850', // great white shark
      'n01491361', // tiger shark
      'n01494475', // hammerhead
      'n01496331', // electric ray
      'n01498041', // stingray
      'n02526121', // eel
      'n02607072', // anemone fish
      'n02655020', // puffer
    ],
  },
  {
    name: 'vehicles',
    wnids: [
      'n02701002', // ambulance
      'n02814533', // beach wagon
      'n02930766', // cab
      'n03100240', // convertible
      'n03594945', // jeep
      'n03670208', // limousine
      'n03770679', // minivan
      'n03777568', // Model T
      'n04037443', // racer
      'n04285008', // sports car
    ],
  },
  {
    name: 'instruments',
    wnids: [
      'n02672831', // accordion
      'n02676566', // acoustic guitar
      'n02787622', // banjo
      'n02804610', // bassoon
      'n02992211', // cello
      'n03272010', // electric guitar
      'n03372029', // flute
      'n03394916', // French horn
      'n03838899', // oboe
      'n04536866', // violin
    ],
  },
  {
    name: 'fruit',
    wnids: [
      'n07742313', // Granny Smith
      'n07745940', // strawberry
      'n07747607', // orange
      'n07749582', // lemon
      'n07753113', // fig
      'n07753275', // pineapple
      'n07753592', // banana
      'n07754684', // jackfruit
      'n07760859', // custard apple
      'n07768694', // pomegranate
    ],
  },
];

/**
 * Few classes pinned next to a many-shot class of their group (few wnid, anchor wnid): pairs ImageNet
 * models are known to confuse, so the demo's inspector shows them. The other few classes get a random
 * base anchor of their own group.
 */
export const PINNED_FEW_ANCHORS: readonly (readonly [string, string])[] = [
  ['n02109961', 'n02110185'], // Eskimo dog ↔ Siberian husky
  ['n02123159', 'n02123045'], // tiger cat ↔ tabby
  ['n02483708', 'n02483362'], // siamang ↔ gibbon
  ['n03272010', 'n02676566'], // electric guitar ↔ acoustic guitar
];
