-- What the cluster tensor store (cluster/tensors) looks up besides primary keys.

-- Deleting a tensors row checks that no patch names it as its base, and gc walks chains from patch to base: without
-- this index each deleted row would scan the table.
CREATE INDEX tensors_base ON tensors (base) WHERE base IS NOT NULL;

-- Deleting a tensor deletes its grants, found by id (the primary key leads with the repository).
CREATE INDEX tensor_grants_id ON tensor_grants (id);
