import { registerEnumType } from '@nestjs/graphql';

/**
 * A GraphQL enum written once: its values are the keys of `values`, each with its description.
 * Returns the enum object that `@Field(() => ...)` takes (each value maps to itself), registered
 * under `name`. Pair it with `satisfies Record<Union, string>` so that the enum lists exactly the
 * values of the domain type it mirrors.
 */
export function graphqlEnum<const Values extends Record<string, string>>(
  name: string,
  values: Values,
  description?: string,
): { readonly [K in keyof Values]: K } {
  const enumObject: Record<string, string> = Object.fromEntries(
    Object.keys(values).map((value) => [value, value]),
  );
  const valuesMap = Object.fromEntries(
    Object.entries(values).map(([value, about]) => [value, { description: about }]),
  );
  registerEnumType(enumObject, { name, ...(description === undefined ? {} : { description }), valuesMap });
  return enumObject as { readonly [K in keyof Values]: K };
}
