module coring.bench/go-proxy

go 1.19
