import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

const chapters = defineCollection({
  loader: glob({ pattern: '**/*.mdx', base: './content/chapters' }),
  schema: z.object({
    title: z.string(),
    order: z.number().int().positive(),
    summary: z.string(),
    objectives: z.array(z.string()).min(1),
    prerequisites: z.array(z.string()).default([]),
    readingMinutes: z.number().int().positive(),
  }),
});

/** Stand-alone pages (e.g. notation.mdx → /notation/). */
const pages = defineCollection({
  loader: glob({ pattern: '**/*.mdx', base: './content/pages' }),
  schema: z.object({
    title: z.string(),
    summary: z.string(),
  }),
});

export const collections = { chapters, pages };
