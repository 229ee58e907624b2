-- the trip table of --dev and docker compose
CREATE TABLE IF NOT EXISTS public.trip (
    trip_id     bigserial PRIMARY KEY,
    vehicle_id  text NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    distance_km numeric(10,3),
    fare        numeric(8,2)
);
