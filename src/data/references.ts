/** Bibliography for every chapter. Cite in prose as `[@key]`; the build numbers citations per chapter. */
export interface Reference {
  /** Authors in publication order, "Given Family". */
  authors: readonly string[];
  year: number;
  title: string;
  /** Where it appeared (conference, journal), when published beyond arXiv. */
  venue?: string;
  arxiv?: string;
  doi?: string;
}

export const references = {
  'sohl-dickstein2015': {
    authors: ['Jascha Sohl-Dickstein', 'Eric A. Weiss', 'Niru Maheswaranathan', 'Surya Ganguli'],
    year: 2015,
    title: 'Deep Unsupervised Learning using Nonequilibrium Thermodynamics',
    venue: 'ICML 2015',
    arxiv: '1503.03585',
  },
  ho2020: {
    authors: ['Jonathan Ho', 'Ajay Jain', 'Pieter Abbeel'],
    year: 2020,
    title: 'Denoising Diffusion Probabilistic Models',
    venue: 'NeurIPS 2020',
    arxiv: '2006.11239',
  },
  song2021ddim: {
    authors: ['Jiaming Song', 'Chenlin Meng', 'Stefano Ermon'],
    year: 2021,
    title: 'Denoising Diffusion Implicit Models',
    venue: 'ICLR 2021',
    arxiv: '2010.02502',
  },
  nichol2021: {
    authors: ['Alex Nichol', 'Prafulla Dhariwal'],
    year: 2021,
    title: 'Improved Denoising Diffusion Probabilistic Models',
    venue: 'ICML 2021',
    arxiv: '2102.09672',
  },
  song2021sde: {
    authors: [
      'Yang Song',
      'Jascha Sohl-Dickstein',
      'Diederik P. Kingma',
      'Abhishek Kumar',
      'Stefano Ermon',
      'Ben Poole',
    ],
    year: 2021,
    title: 'Score-Based Generative Modeling through Stochastic Differential Equations',
    venue: 'ICLR 2021',
    arxiv: '2011.13456',
  },
  kingma2021vdm: {
    authors: ['Diederik P. Kingma', 'Tim Salimans', 'Ben Poole', 'Jonathan Ho'],
    year: 2021,
    title: 'Variational Diffusion Models',
    venue: 'NeurIPS 2021',
    arxiv: '2107.00630',
  },
  salimans2022: {
    authors: ['Tim Salimans', 'Jonathan Ho'],
    year: 2022,
    title: 'Progressive Distillation for Fast Sampling of Diffusion Models',
    venue: 'ICLR 2022',
    arxiv: '2202.00512',
  },
  karras2022: {
    authors: ['Tero Karras', 'Miika Aittala', 'Timo Aila', 'Samuli Laine'],
    year: 2022,
    title: 'Elucidating the Design Space of Diffusion-Based Generative Models',
    venue: 'NeurIPS 2022',
    arxiv: '2206.00364',
  },
  lin2024: {
    authors: ['Shanchuan Lin', 'Bingchen Liu', 'Jiashi Li', 'Xiao Yang'],
    year: 2024,
    title: 'Common Diffusion Noise Schedules and Sample Steps are Flawed',
    venue: 'WACV 2024',
    arxiv: '2305.08891',
  },
  saharia2022: {
    authors: [
      'Chitwan Saharia',
      'William Chan',
      'Saurabh Saxena',
      'Lala Li',
      'Jay Whang',
      'Emily Denton',
      'Seyed Kamyar Seyed Ghasemipour',
      'Burcu Karagol Ayan',
      'S. Sara Mahdavi',
      'Rapha Gontijo Lopes',
      'Tim Salimans',
      'Jonathan Ho',
      'David J. Fleet',
      'Mohammad Norouzi',
    ],
    year: 2022,
    title: 'Photorealistic Text-to-Image Diffusion Models with Deep Language Understanding',
    venue: 'NeurIPS 2022',
    arxiv: '2205.11487',
  },
  dhariwal2021: {
    authors: ['Prafulla Dhariwal', 'Alex Nichol'],
    year: 2021,
    title: 'Diffusion Models Beat GANs on Image Synthesis',
    venue: 'NeurIPS 2021',
    arxiv: '2105.05233',
  },
  ho2022cfg: {
    authors: ['Jonathan Ho', 'Tim Salimans'],
    year: 2022,
    title: 'Classifier-Free Diffusion Guidance',
    arxiv: '2207.12598',
  },
  luo2022: {
    authors: ['Calvin Luo'],
    year: 2022,
    title: 'Understanding Diffusion Models: A Unified Perspective',
    arxiv: '2208.11970',
  },
  vincent2011: {
    authors: ['Pascal Vincent'],
    year: 2011,
    title: 'A Connection Between Score Matching and Denoising Autoencoders',
    venue: 'Neural Computation 23(7), 1661–1674',
    doi: '10.1162/NECO_a_00142',
  },
  nichol2022glide: {
    authors: [
      'Alex Nichol',
      'Prafulla Dhariwal',
      'Aditya Ramesh',
      'Pranav Shyam',
      'Pamela Mishkin',
      'Bob McGrew',
      'Ilya Sutskever',
      'Mark Chen',
    ],
    year: 2022,
    title: 'GLIDE: Towards Photorealistic Image Generation and Editing with Text-Guided Diffusion Models',
    venue: 'ICML 2022',
    arxiv: '2112.10741',
  },
  radford2021clip: {
    authors: [
      'Alec Radford',
      'Jong Wook Kim',
      'Chris Hallacy',
      'Aditya Ramesh',
      'Gabriel Goh',
      'Sandhini Agarwal',
      'Girish Sastry',
      'Amanda Askell',
      'Pamela Mishkin',
      'Jack Clark',
      'Gretchen Krueger',
      'Ilya Sutskever',
    ],
    year: 2021,
    title: 'Learning Transferable Visual Models From Natural Language Supervision',
    venue: 'ICML 2021',
    arxiv: '2103.00020',
  },
  ramesh2022: {
    authors: ['Aditya Ramesh', 'Prafulla Dhariwal', 'Alex Nichol', 'Casey Chu', 'Mark Chen'],
    year: 2022,
    title: 'Hierarchical Text-Conditional Image Generation with CLIP Latents',
    arxiv: '2204.06125',
  },
  crowson2022vqganclip: {
    authors: [
      'Katherine Crowson',
      'Stella Biderman',
      'Daniel Kornis',
      'Dashiell Stander',
      'Eric Hallahan',
      'Louis Castricato',
      'Edward Raff',
    ],
    year: 2022,
    title: 'VQGAN-CLIP: Open Domain Image Generation and Editing with Natural Language Guidance',
    venue: 'ECCV 2022',
    arxiv: '2204.08583',
  },
  heusel2017fid: {
    authors: ['Martin Heusel', 'Hubert Ramsauer', 'Thomas Unterthiner', 'Bernhard Nessler', 'Sepp Hochreiter'],
    year: 2017,
    title: 'GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium',
    venue: 'NeurIPS 2017',
    arxiv: '1706.08500',
  },
  sajjadi2018: {
    authors: ['Mehdi S. M. Sajjadi', 'Olivier Bachem', 'Mario Lucic', 'Olivier Bousquet', 'Sylvain Gelly'],
    year: 2018,
    title: 'Assessing Generative Models via Precision and Recall',
    venue: 'NeurIPS 2018',
    arxiv: '1806.00035',
  },
  kynkaanniemi2019: {
    authors: ['Tuomas Kynkäänniemi', 'Tero Karras', 'Samuli Laine', 'Jaakko Lehtinen', 'Timo Aila'],
    year: 2019,
    title: 'Improved Precision and Recall Metric for Assessing Generative Models',
    venue: 'NeurIPS 2019',
    arxiv: '1904.06991',
  },
  hessel2021clipscore: {
    authors: ['Jack Hessel', 'Ari Holtzman', 'Maxwell Forbes', 'Ronan Le Bras', 'Yejin Choi'],
    year: 2021,
    title: 'CLIPScore: A Reference-free Evaluation Metric for Image Captioning',
    venue: 'EMNLP 2021',
    arxiv: '2104.08718',
  },
} as const satisfies Record<string, Reference>;

export type ReferenceKey = keyof typeof references;

export function isReferenceKey(key: string): key is ReferenceKey {
  return Object.hasOwn(references, key);
}

/** The canonical link for a reference: its arXiv abstract page, else its DOI. */
export function referenceUrl(ref: Reference): string | undefined {
  if (ref.arxiv) return `https://arxiv.org/abs/${ref.arxiv}`;
  if (ref.doi) return `https://doi.org/${ref.doi}`;
  return undefined;
}

/** "Ho, Jain & Abbeel" / "Karras et al." — short author string for tooltips and labels. */
export function shortAuthors(ref: Reference): string {
  const family = (name: string) => name.split(' ').at(-1) ?? name;
  const [first, second] = ref.authors;
  if (ref.authors.length === 1) return family(first);
  if (ref.authors.length === 2) return `${family(first)} & ${family(second)}`;
  return `${family(first)} et al.`;
}

/** Anchor id of a reference entry in a chapter's References section. */
export function referenceAnchor(key: string): string {
  return `ref-${key}`;
}
