// Go net/http peer servers for bench/run.sh (standard library only: builds offline).
module coring.bench/peers/go

go 1.19
