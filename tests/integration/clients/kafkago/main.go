// segmentio/kafka-go 0.2.1 (Debian's golang-github-segmentio-kafka-go-dev)
// against Gregor. That version speaks old protocols: Produce v2 (magic 1
// message sets, up-converted by the broker), Fetch v2 (down-converted to
// magic 1), Metadata v1, ListOffsets v1, JoinGroup v1, OffsetCommit v2.
//
// A Writer with the hash balancer produces keyed messages (the topic is
// auto-created, num.partitions partitions); a Reader in a consumer group
// reads them all back with their keys and commits each; a new Reader of the
// group resumes after the committed offsets; then the leader of partition 0
// is stopped (controlled shutdown) and writing and reading go on. Needs
// BOOTSTRAP, GREGOR_CLUSTER_DIR and GREGOR_SOURCE_ROOT. Exit 1 on the first
// failed check.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	kafka "github.com/segmentio/kafka-go"
)

var brokers []string

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func ok(format string, args ...interface{}) { fmt.Printf("ok   "+format+"\n", args...) }

func cluster(args ...string) {
	src := os.Getenv("GREGOR_SOURCE_ROOT")
	args = append(args, "--dir", os.Getenv("GREGOR_CLUSTER_DIR"))
	out, err := exec.Command(filepath.Join(src, "deploy", "cluster.sh"), args...).CombinedOutput()
	if err != nil {
		fail("cluster.sh %v: %v\n%s", args, err, out)
	}
}

type kv struct{ k, v string }

func batch(prefix string, n int) ([]kafka.Message, map[kv]bool) {
	msgs := make([]kafka.Message, n)
	want := map[kv]bool{}
	for i := 0; i < n; i++ {
		k, v := fmt.Sprintf("%s-k%d", prefix, i%7), fmt.Sprintf("%s-v%d", prefix, i)
		msgs[i] = kafka.Message{Key: []byte(k), Value: []byte(v)}
		want[kv{k, v}] = true
	}
	return msgs, want
}

func write(topic, prefix string, n int) map[kv]bool {
	w := kafka.NewWriter(kafka.WriterConfig{Brokers: brokers, Topic: topic,
		Balancer: &kafka.Hash{}, MaxAttempts: 20, BatchTimeout: 10 * time.Millisecond})
	defer w.Close()
	msgs, want := batch(prefix, n)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := w.WriteMessages(ctx, msgs...)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			fail("write %s: %v", prefix, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	ok("writer: %d keyed messages (%s)", n, prefix)
	return want
}

func read(topic, group string, want map[kv]bool) map[kv]bool {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, GroupID: group,
		MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 200 * time.Millisecond,
		SessionTimeout: 10 * time.Second, HeartbeatInterval: time.Second,
		RebalanceTimeout: 10 * time.Second})
	defer r.Close()
	got := map[kv]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for len(got) < len(want) {
		m, err := r.ReadMessage(ctx) // commits the offset (synchronous commits)
		if err != nil {
			fail("reader of %s: %v after %d of %d", group, err, len(got), len(want))
		}
		got[kv{string(m.Key), string(m.Value)}] = true
	}
	for k := range want {
		if !got[k] {
			fail("reader: %v missing", k)
		}
	}
	return got
}

func leaderOf(topic string, p int) int {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, b := range brokers { // any live one
			parts, err := kafka.LookupPartitions(context.Background(), "tcp", b, topic)
			if err != nil {
				continue
			}
			for _, x := range parts {
				if x.ID == p && x.Leader.ID >= 0 {
					return x.Leader.ID
				}
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	fail("no leader for %s-%d", topic, p)
	return -1
}

func main() {
	brokers = strings.Split(os.Getenv("BOOTSTRAP"), ",")
	topic, group := "kafkago-topic", "kafkago-group"
	wantA := write(topic, "a", 60)
	read(topic, group, wantA)
	ok("group reader: all 60 keyed messages, offsets committed")
	wantB := write(topic, "b", 20)
	got := read(topic, group, wantB)
	for k := range wantA {
		if got[k] {
			fail("%v read again: the committed offsets were not used", k)
		}
	}
	ok("a new group reader resumes after the committed offsets (%d new)", len(got))
	victim := leaderOf(topic, 0)
	cluster("stop", fmt.Sprint(victim))
	wantC := write(topic, "c", 30)
	read(topic, group, wantC)
	ok("after broker %d stopped: wrote and read 30 more", victim)
	if l := leaderOf(topic, 0); l == victim {
		fail("partition 0 still led by the stopped broker %d", victim)
	}
	cluster("start", fmt.Sprint(victim))
	ok("done")
}
