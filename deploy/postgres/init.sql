-- The two databases of the clinic assistant, created once, when the data volume is new (the
-- postgres image runs /docker-entrypoint-initdb.d/*.sql as POSTGRES_USER, who owns them).
-- Tables are created by the servers on first use.
CREATE DATABASE tracker;  -- conversations: Rasa's SQL tracker store (TRACKER_DB_URL)
CREATE DATABASE clinic;   -- bookings, hand-offs, staff accounts (CLINIC_DB_URL)
