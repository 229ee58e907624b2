package pipeline.it;

import org.junit.jupiter.api.Test;

import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * A captured table partitioned by month, as a fleet's trips often are: Postgres logs each change
 * under the partition it lands in, and the pipeline still captures them all as changes of the
 * table it was told to capture, the snapshot and every later insert, update and delete.
 */
class PartitionedTableTest {

    @Test
    void changesInEveryPartitionReachTheLakeAsTheTablesOwn() throws Exception {
        String name = "trip_parted";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name + """
                (trip_id bigint, vehicle_id text NOT NULL, started_at timestamptz NOT NULL, ended_at timestamptz,
                 local_start timestamp, distance_km numeric(10,3), trip_date date, passengers integer,
                 rating double precision, paid boolean, note text, PRIMARY KEY (trip_id, started_at))
                PARTITION BY RANGE (started_at)""");
        execute("CREATE TABLE public.trip_parted_2024_10 PARTITION OF public.trip_parted "
                + "FOR VALUES FROM ('2024-10-01 00:00+00') TO ('2024-11-01 00:00+00')");
        execute("CREATE TABLE public.trip_parted_2024_11 PARTITION OF public.trip_parted "
                + "FOR VALUES FROM ('2024-11-01 00:00+00') TO ('2024-12-01 00:00+00')");
        execute("INSERT INTO public.trip_parted (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-10-15 10:00+00')");
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            execute("INSERT INTO public.trip_parted (trip_id, vehicle_id, started_at) VALUES "
                    + "(2, 'v-2', '2024-10-20 08:00+00'), (3, 'v-3', '2024-11-02 09:00+00'), (4, 'v-4', '2024-11-03 09:00+00')");
            execute("UPDATE public.trip_parted SET ended_at = started_at + interval '25 minutes', distance_km = 7.125 WHERE trip_id IN (1, 3)");
            execute("DELETE FROM public.trip_parted WHERE trip_id = 4");
            awaitLakeEqualsTable(new Lake(pipeline.bucket, pipeline.table), name);
        }
    }
}
