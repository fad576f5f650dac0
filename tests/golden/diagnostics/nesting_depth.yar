// options: max_depth=20
rule shallow_enough { condition: ((((((((((true)))))))))) }

rule too_deep { condition: (((((((((((((((((((((((((true))))))))))))))))))))))))) }

rule too_many_nots { condition: not not not not not not not not not not not not not not not not not not not not not not true }

rule after_deep { condition: true }
