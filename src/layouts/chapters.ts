import { getCollection, type CollectionEntry } from 'astro:content';

export type Chapter = CollectionEntry<'chapters'>;

/** Every chapter that exists, in reading order. */
export async function chaptersInOrder(): Promise<Chapter[]> {
  const chapters = await getCollection('chapters');
  return chapters.sort((a, b) => a.data.order - b.data.order);
}

export function chapterUrl(chapter: Chapter): string {
  return `/chapters/${chapter.id}/`;
}
