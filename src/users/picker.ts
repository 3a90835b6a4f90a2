// The grouped view for pickers: Favorites first (the available ones, in the user's order), then one
// section per provider in registry order. A favorite also stays in its provider's section, marked.
// Favorites whose provider or model is unavailable are left out here and never deleted.
import type { Catalog, CatalogModel, CatalogProvider } from "../catalog/types.ts";

export interface PickerModel {
  id: string;
  name: string;
  status: CatalogModel["status"];
  favorite: boolean;
  context_length?: number;
}

export type PickerSection =
  | { kind: "favorites"; models: PickerModel[] }
  | { kind: "provider"; provider: CatalogProvider; models: PickerModel[] };

export function buildPicker(catalog: Catalog, favorites: readonly string[]): { sections: PickerSection[] } {
  const favored = new Set(favorites);
  const byId = new Map(catalog.models.map((m) => [m.id, m]));
  const view = (m: CatalogModel): PickerModel => ({
    id: m.id,
    name: m.name,
    status: m.status,
    favorite: favored.has(m.id),
    ...(m.context_length ? { context_length: m.context_length } : {}),
  });
  const favoriteModels = favorites
    .map((id) => byId.get(id))
    .filter((m): m is CatalogModel => m !== undefined && m.status !== "unavailable")
    .map(view);
  const sections: PickerSection[] = [{ kind: "favorites", models: favoriteModels }];
  for (const provider of catalog.providers) {
    sections.push({ kind: "provider", provider, models: catalog.models.filter((m) => m.owned_by === provider.id).map(view) });
  }
  return { sections };
}
