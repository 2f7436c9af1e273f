-- Several desks (DESKS): the desk an operator moved the appeal to with /move, by name;
-- NULL: the desk of its type. The card's chat is in appeal_threads as before.
ALTER TABLE appeals ADD COLUMN desk TEXT;
