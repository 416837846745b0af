// Sarama 1.22 (Debian's golang-github-shopify-sarama-dev) against Gregor.
//
//	sarama-check default   sarama's default Version (0.8.2): Metadata v0
//	                       (auto-creates the topic), Produce v0 with magic 0
//	                       messages, Fetch v0 (down-converted), ListOffsets v0,
//	                       OffsetCommit/OffsetFetch v1 via the offset manager
//	sarama-check v2_1      Version V2_1_0_0: ClusterAdmin CreateTopic, record
//	                       batches, consumer group with committed offsets
//
// Each mode produces keyed messages with the sync and the async producer,
// consumes them back with their keys, commits offsets and checks that a new
// consumer resumes from them, then stops the leader of partition 0 (a
// controlled shutdown moves the leadership) and produces and consumes again.
// Needs BOOTSTRAP, GREGOR_CLUSTER_DIR and GREGOR_SOURCE_ROOT. Exit 1 on the
// first failed check.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

const parts = 3

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

func config(version sarama.KafkaVersion) *sarama.Config {
	c := sarama.NewConfig()
	c.Version = version
	c.ClientID = "sarama-check"
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Producer.Return.Successes = true
	c.Producer.Retry.Max = 20
	c.Producer.Retry.Backoff = 300 * time.Millisecond
	c.Metadata.Retry.Max = 20
	c.Metadata.Retry.Backoff = 300 * time.Millisecond
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Return.Errors = true
	c.Consumer.MaxWaitTime = 200 * time.Millisecond
	c.Consumer.Group.Session.Timeout = 10 * time.Second
	c.Consumer.Group.Heartbeat.Interval = time.Second
	return c
}

type kv struct{ k, v string }

func want(prefix string, n int) map[kv]bool {
	m := map[kv]bool{}
	for i := 0; i < n; i++ {
		m[kv{fmt.Sprintf("%s-k%d", prefix, i%7), fmt.Sprintf("%s-v%d", prefix, i)}] = true
	}
	return m
}

func produce(cfg *sarama.Config, topic, prefix string, n int) {
	sp, err := sarama.NewSyncProducer(brokers, cfg)
	if err != nil {
		fail("sync producer: %v", err)
	}
	half := n / 2
	for i := 0; i < half; i++ {
		_, off, err := sp.SendMessage(&sarama.ProducerMessage{Topic: topic,
			Key:   sarama.StringEncoder(fmt.Sprintf("%s-k%d", prefix, i%7)),
			Value: sarama.StringEncoder(fmt.Sprintf("%s-v%d", prefix, i))})
		if err != nil || off < 0 {
			fail("sync send %s %d: %v", prefix, i, err)
		}
	}
	sp.Close()
	ap, err := sarama.NewAsyncProducer(brokers, cfg)
	if err != nil {
		fail("async producer: %v", err)
	}
	for i := half; i < n; i++ {
		ap.Input() <- &sarama.ProducerMessage{Topic: topic,
			Key:   sarama.StringEncoder(fmt.Sprintf("%s-k%d", prefix, i%7)),
			Value: sarama.StringEncoder(fmt.Sprintf("%s-v%d", prefix, i))}
	}
	for i := half; i < n; i++ {
		select {
		case <-ap.Successes():
		case e := <-ap.Errors():
			fail("async send %s: %v", prefix, e.Err)
		case <-time.After(60 * time.Second):
			fail("async send %s: no answer in 60 s", prefix)
		}
	}
	ap.Close()
	ok("%s: %d keyed messages produced (sync %d, async %d)", prefix, n, half, n-half)
}

func leaderOf(cfg *sarama.Config, topic string, p int32) int32 {
	cl, err := sarama.NewClient(brokers, cfg)
	if err != nil {
		fail("client: %v", err)
	}
	defer cl.Close()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		cl.RefreshMetadata(topic)
		if b, err := cl.Leader(topic, p); err == nil {
			return b.ID()
		}
		time.Sleep(200 * time.Millisecond)
	}
	fail("no leader for %s-%d", topic, p)
	return -1
}

// ---- default version: partition consumers and the offset manager ----

func consumeManual(cfg *sarama.Config, topic, group string, n int) map[kv]bool {
	cl, err := sarama.NewClient(brokers, cfg)
	if err != nil {
		fail("client: %v", err)
	}
	defer cl.Close()
	om, err := sarama.NewOffsetManagerFromClient(group, cl)
	if err != nil {
		fail("offset manager: %v", err)
	}
	cons, err := sarama.NewConsumerFromClient(cl)
	if err != nil {
		fail("consumer: %v", err)
	}
	got := map[kv]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var poms []sarama.PartitionOffsetManager
	var pcs []sarama.PartitionConsumer
	ids, err := cl.Partitions(topic)
	if err != nil || len(ids) == 0 {
		fail("partitions of %s: %v", topic, err)
	}
	for _, p := range ids {
		pom, err := om.ManagePartition(topic, p)
		if err != nil {
			fail("manage partition %d: %v", p, err)
		}
		next, _ := pom.NextOffset()
		pc, err := cons.ConsumePartition(topic, p, next)
		if err != nil {
			fail("consume partition %d from %d: %v", p, next, err)
		}
		poms = append(poms, pom)
		pcs = append(pcs, pc)
		wg.Add(1)
		go func(pc sarama.PartitionConsumer, pom sarama.PartitionOffsetManager) {
			defer wg.Done()
			for m := range pc.Messages() {
				mu.Lock()
				got[kv{string(m.Key), string(m.Value)}] = true
				mu.Unlock()
				pom.MarkOffset(m.Offset+1, "")
			}
		}(pc, pom)
	}
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		c := len(got)
		mu.Unlock()
		if c >= n {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, pc := range pcs {
		pc.AsyncClose()
	}
	wg.Wait()
	for _, pom := range poms {
		pom.Close()
	}
	om.Close() // flushes the marked offsets (OffsetCommit)
	cons.Close()
	return got
}

// ---- V2_1_0: consumer group ----

type handler struct {
	mu   sync.Mutex
	got  map[kv]bool
	want int
	done chan struct{}
	once sync.Once
}

func (h *handler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *handler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		h.mu.Lock()
		h.got[kv{string(m.Key), string(m.Value)}] = true
		full := len(h.got) >= h.want
		h.mu.Unlock()
		s.MarkMessage(m, "")
		if full {
			h.once.Do(func() { close(h.done) })
		}
	}
	return nil
}

func consumeGroup(cfg *sarama.Config, topic, group string, n int) map[kv]bool {
	cg, err := sarama.NewConsumerGroup(brokers, group, cfg)
	if err != nil {
		fail("consumer group: %v", err)
	}
	h := &handler{got: map[kv]bool{}, want: n, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			if err := cg.Consume(ctx, []string{topic}, h); err != nil && ctx.Err() == nil {
				time.Sleep(200 * time.Millisecond)
			}
		}
	}()
	go func() {
		for e := range cg.Errors() {
			fmt.Printf("     (consumer group error: %v)\n", e)
		}
	}()
	select {
	case <-h.done:
	case <-time.After(60 * time.Second):
	}
	time.Sleep(1500 * time.Millisecond) // one auto-commit interval: offsets reach the broker
	cancel()
	wg.Wait()
	cg.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.got
}

func check(got, w map[kv]bool, what string) {
	for k := range w {
		if !got[k] {
			fail("%s: missing %v (got %d of %d)", what, k, len(got), len(w))
		}
	}
	ok("%s: all %d keyed messages consumed", what, len(w))
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "default" && os.Args[1] != "v2_1") {
		fail("usage: sarama-check default|v2_1")
	}
	mode := os.Args[1]
	brokers = strings.Split(os.Getenv("BOOTSTRAP"), ",")
	topic, group := "sarama-"+mode, "sarama-group-"+mode
	var cfg *sarama.Config
	consume := consumeManual
	if mode == "default" {
		cfg = config(sarama.NewConfig().Version)
		if cfg.Version != sarama.V0_8_2_0 {
			fail("sarama's default version is %v, not 0.8.2", cfg.Version)
		}
		// Metadata v0 auto-creates the topic (num.partitions of the cluster)
		leaderOf(cfg, topic, 0)
		ok("default: Metadata v0 auto-created %s", topic)
	} else {
		cfg = config(sarama.V2_1_0_0)
		consume = consumeGroup
		adm, err := sarama.NewClusterAdmin(brokers, cfg)
		if err != nil {
			fail("cluster admin: %v", err)
		}
		if err := adm.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: parts, ReplicationFactor: 3}, false); err != nil {
			fail("create topic: %v", err)
		}
		adm.Close()
		ok("v2_1: ClusterAdmin created %s", topic)
		leaderOf(cfg, topic, parts-1)
	}
	produce(cfg, topic, "a", 60)
	check(consume(cfg, topic, group, 60), want("a", 60), mode+": first consumer")
	produce(cfg, topic, "b", 20)
	got := consume(cfg, topic, group, 20)
	check(got, want("b", 20), mode+": resumed at the committed offsets")
	for k := range want("a", 60) {
		if got[k] {
			fail("%s: %v consumed again: committed offsets not used", mode, k)
		}
	}
	victim := leaderOf(cfg, topic, 0)
	cluster("stop", fmt.Sprint(victim))
	produce(cfg, topic, "c", 30)
	check(consume(cfg, topic, group, 30), want("c", 30), fmt.Sprintf("%s: after broker %d stopped", mode, victim))
	if l := leaderOf(cfg, topic, 0); l == victim {
		fail("partition 0 still led by the stopped broker %d", victim)
	}
	cluster("start", fmt.Sprint(victim))
	ok("%s: done", mode)
}
