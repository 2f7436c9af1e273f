-- Several desks (DESKS): the desk an operator moved the appeal to with /move, by name;
-- NULL: the desk of its type. The card's chat is in appeal_threads as before.
ALTER TABLE appeals ADD COLUMN desk text;
-- The desk chat an operator went on shift in: automatic assignment gives them that desk's
-- appeals only (NULL: any desk's, as with one operators' chat).
ALTER TABLE operator_shifts ADD COLUMN desk_chat_id bigint;
